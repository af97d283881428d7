import { BerthError } from '../../protocol/errors.js';

/** A target option's value is malformed (a flag or its environment variable). */
export class InvalidTargetOptionError extends BerthError {
  readonly code = 'ERR_INVALID_TARGET_OPTION';
}

/**
 * How a target is configured from the command line (`berth run`) or the environment. Which of
 * these a target takes, and how, its TargetDefinition says (suite/targets/target-definition.ts).
 */
export interface TargetOptions {
  /** `docker`: the daemon, `unix:///path` or `tcp://host:port`. */
  readonly dockerHost?: string;
  /** `proxy-command` and `driver-command`: the command line (a template for proxy-command). */
  readonly command?: string;
  /** How long a launched command may take to become ready (socket listening, driver hello). */
  readonly readyTimeoutMs?: number;
}

export type TargetOptionName = keyof TargetOptions;

/** One target option: its `berth run` flag, its environment variable and its parser. */
export interface TargetOptionKind<N extends TargetOptionName = TargetOptionName> {
  readonly flag: string;
  /** The flag's value placeholder in `--help`. */
  readonly placeholder: string;
  readonly env: string;
  /** What the value is, for `--help` (the targets taking it are named before it). */
  readonly help: string;
  /** Validates a value given as text; `source` names the flag or variable in the error. */
  parse(text: string, source: string): NonNullable<TargetOptions[N]>;
}

function parseDockerHost(text: string, source: string): string {
  const value = text.trim();
  if (/^unix:\/\/\/./.test(value)) return value;
  if (/^tcp:\/\/[^/:]+:\d{1,5}\/?$/.test(value)) return value;
  throw new InvalidTargetOptionError(
    `${source} must be unix:///path/to/docker.sock or tcp://host:port, got '${text}'`,
  );
}

function parseCommand(text: string, source: string): string {
  const value = text.trim();
  if (value === '') throw new InvalidTargetOptionError(`${source} must not be empty`);
  return value;
}

function parsePositiveInteger(text: string, source: string): number {
  const value = text.trim();
  if (!/^[1-9]\d{0,8}$/.test(value)) {
    throw new InvalidTargetOptionError(`${source} must be a positive integer, got '${text}'`);
  }
  return Number(value);
}

/** Every target option there is: a target takes some of them (TargetDefinition.options). */
export const TARGET_OPTION_KINDS: { readonly [N in TargetOptionName]: TargetOptionKind<N> } = {
  dockerHost: {
    flag: '--docker-host',
    placeholder: '<url>',
    env: 'BERTH_DOCKER_HOST',
    help: 'unix:///path.sock or tcp://host:port',
    parse: parseDockerHost,
  },
  command: {
    flag: '--command',
    placeholder: '<cmdline>',
    env: 'BERTH_COMMAND',
    help: 'the command to launch',
    parse: parseCommand,
  },
  readyTimeoutMs: {
    flag: '--ready-timeout-ms',
    placeholder: '<ms>',
    env: 'BERTH_COMMAND_READY_MS',
    help: 'how long a launched command may take to listen (proxy) or greet (driver)',
    parse: parsePositiveInteger,
  },
};

export const TARGET_OPTION_NAMES = Object.keys(TARGET_OPTION_KINDS) as readonly TargetOptionName[];
