import { TargetUnavailableError } from '../support/suite-errors.js';

/**
 * A proxy-command template: the third party's command line with placeholders the suite fills in
 * for each proxy it starts:
 * - `{listen}` / `{listen.path}`: where the proxy must serve the Docker API (`unix:///…` / path);
 * - `{guest.ROLE}` / `{guest.ROLE.path}`: the guest dockerd of a role (`unix:///…` / path);
 * - `{platform.ROLE}`: the platforms a role runs, comma-separated (`linux/amd64`);
 * - `{default-role}`: the role for requests that name no workload;
 * - `{handshake-timeout-ms}`: the deadline of upgrade handshakes the clause wants.
 */
export interface CommandTemplate {
  readonly text: string;
  /** Roles the template has a `{guest.ROLE}` placeholder for, in order of appearance. */
  readonly roles: readonly string[];
  readonly placeholders: ReadonlySet<string>;
}

const PLACEHOLDER = /\{([^{}\s]+)\}/g;
const ROLE = '[A-Za-z0-9_-]+';
const KNOWN = [
  /^listen$/,
  /^listen\.path$/,
  new RegExp(`^guest\\.${ROLE}$`),
  new RegExp(`^guest\\.${ROLE}\\.path$`),
  new RegExp(`^platform\\.${ROLE}$`),
  /^default-role$/,
  /^handshake-timeout-ms$/,
];

/** Parses and checks a template; an unknown placeholder or a missing `{listen}` is an error. */
export function parseCommandTemplate(text: string): CommandTemplate {
  const placeholders = new Set<string>();
  const roles: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!KNOWN.some((pattern) => pattern.test(name))) {
      throw new TargetUnavailableError(
        `unknown placeholder {${name}} in --command (known: {listen}, {listen.path}, {guest.ROLE}, {guest.ROLE.path}, {platform.ROLE}, {default-role}, {handshake-timeout-ms})`,
      );
    }
    placeholders.add(name);
    const role = /^guest\.([^.]+)/.exec(name)?.[1];
    if (role !== undefined && !roles.includes(role)) roles.push(role);
  }
  if (!placeholders.has('listen') && !placeholders.has('listen.path')) {
    throw new TargetUnavailableError(
      'the --command template must say where the proxy listens: put {listen} (unix:///…) or {listen.path} in it',
    );
  }
  if (roles.length === 0) {
    throw new TargetUnavailableError(
      'the --command template names no guest: add --guest-style placeholders such as {guest.native} and {guest.amd64}',
    );
  }
  return { text, roles, placeholders };
}

/** Quotes a value for /bin/sh. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Fills the template's placeholders; `values` maps a placeholder name to its (unquoted) value. */
export function fillCommandTemplate(template: CommandTemplate, values: ReadonlyMap<string, string>): string {
  return template.text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values.get(name);
    return value === undefined ? whole : shellQuote(value);
  });
}
