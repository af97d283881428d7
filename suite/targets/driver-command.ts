import { createHash } from 'node:crypto';
import { readRunEnvironment } from '../../reports/model/run-environment.js';
import { TargetUnavailableError } from '../support/suite-errors.js';
import { DEFAULT_CALL_TIMEOUT_MS, DriverConnection } from './driver-connection.js';
import { createDriverDispatchFacet } from './driver-dispatch-facet.js';
import { createDriverRegistryFacet } from './driver-registry-facet.js';
import { DriverSession } from './driver-session.js';
import { COMPONENTS, type Component } from './driver-wire.js';
import type { Target, TargetOptions, TargetProbe } from './target.js';

const DEFAULT_READY_TIMEOUT_MS = 15_000;

function requireCommand(options: TargetOptions): string {
  const command = options.command?.trim();
  if (command === undefined || command === '') {
    throw new TargetUnavailableError(
      "the driver-command target needs the driver's command line: --command '<cmdline>' or BERTH_COMMAND " +
        "(for the reference drivers: 'node bin/berth.js driver registry' or '... driver dispatch')",
    );
  }
  return command;
}

/** The deadline of each driver call: BERTH_DRIVER_TIMEOUT_MS (the run environment), else 10 s. */
export function driverCallTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return readRunEnvironment(env).driverTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
}

/** What the target says about itself before the probe (the command line stays out: it may hold secrets). */
const DESCRIPTION = 'a driver command (driver protocol 1: newline-delimited JSON over its stdin/stdout)';

/** A fingerprint of the command line, so a probe result is only trusted for the command it probed. */
const commandDigest = (command: string): string =>
  createHash('sha256').update(command).digest('hex').slice(0, 16);

/**
 * The components the run's probe found (BERTH_TARGET_PROBE, set once before the workers start),
 * when it probed this very command; undefined when there is no such probe.
 */
export function probedComponents(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): readonly Component[] | undefined {
  let facts: Record<string, unknown> | undefined;
  try {
    facts = readRunEnvironment(env).targetProbe?.facts;
  } catch {
    return undefined;
  }
  if (facts?.commandDigest !== commandDigest(command) || !Array.isArray(facts.components)) return undefined;
  return COMPONENTS.filter((component) => (facts.components as unknown[]).includes(component));
}

/**
 * A library component in any language, reached through a driver process (docs/driver-protocol.md).
 * One driver per test worker, started on first use and again after it broke. It offers the
 * registry and dispatch facets: only those the driver announced, when the run's probe saw this
 * command (so the other component's clauses are `disabled`); otherwise both, and a clause whose
 * component the driver does not announce in its hello is `disabled` when it asks for an instance.
 * The other facets are absent.
 */
export function createDriverCommandTarget(
  options: TargetOptions,
  env: NodeJS.ProcessEnv = process.env,
): Target {
  const command = requireCommand(options);
  const session = new DriverSession({
    command,
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    callTimeoutMs: driverCallTimeoutFromEnv(env),
  });
  const components = probedComponents(command, env) ?? COMPONENTS;
  return {
    name: 'driver-command',
    description: DESCRIPTION,
    ...(components.includes('registry') ? { registry: createDriverRegistryFacet(session) } : {}),
    ...(components.includes('dispatch') ? { dispatch: createDriverDispatchFacet(session) } : {}),
    [Symbol.asyncDispose]: () => session[Symbol.asyncDispose](),
  };
}

/**
 * Starts the driver, exchanges the hello within the ready timeout, records what the driver said
 * about itself and stops it. A driver that does not start, exits, or answers anything but a
 * valid hello makes the target unavailable, with the reason and the driver's stderr tail.
 */
export async function probeDriverCommandTarget(options: TargetOptions): Promise<TargetProbe> {
  const command = requireCommand(options);
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const connection = new DriverConnection({ command, exitGraceMs: 500 });
  try {
    const hello = await connection.hello(readyTimeoutMs);
    return {
      description:
        `driver ${hello.name} ${hello.version} (driver protocol ${hello.protocol} over its stdin/stdout; ` +
        `components: ${hello.components.join(', ') || 'none'})`,
      facts: {
        name: hello.name,
        version: hello.version,
        protocol: hello.protocol,
        components: [...hello.components],
        commandDigest: commandDigest(command),
      },
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const tail = connection.stderrTail().trimEnd();
    const withTail =
      tail === '' || reason.includes(tail) ? reason : `${reason}; driver stderr (tail):\n${tail}`;
    throw new TargetUnavailableError(`driver '${command}' did not complete its hello: ${withTail}`, {
      cause: error,
    });
  } finally {
    await connection[Symbol.asyncDispose]();
  }
}
