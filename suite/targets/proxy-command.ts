import { startSimulatedGuest, type RunningGuest } from '../support/guests.js';
import { TargetUnavailableError } from '../support/suite-errors.js';
import { redact } from '../../reports/model/redact.js';
import { attachLog } from '../support/transcript.js';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import { fillCommandTemplate, parseCommandTemplate, type CommandTemplate } from './command-template.js';
import type { EngineFacet, EngineSession } from './engine-facet.js';
import { openEngineSession } from './engine-session.js';
import { httpCall } from '../support/http/http-call.js';
import { LaunchedCommand } from './launched-command.js';
import {
  TargetCannotConfigureError,
  type ProxyFacet,
  type ProxyStartOptions,
  type RunningProxy,
  type Target,
  type TargetOptions,
  type TargetProbe,
} from './target.js';

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;
/** Deadline of each request the probe sends through the proxy (`GET /_ping`, `GET /version`). */
const PROBE_TIMEOUT_MS = 5000;

/** The architecture the suite's guest of a role reports: `native` and `arm64` are arm64. */
function architectureOf(role: string): 'arm64' | 'amd64' {
  return role === 'native' || role === 'arm64' ? 'arm64' : 'amd64';
}

function templateOf(options: TargetOptions): CommandTemplate {
  if (options.command === undefined) {
    throw new TargetUnavailableError(
      "--target proxy-command needs --command 'your-proxy --listen {listen} --guest native={guest.native} --guest amd64={guest.amd64}'",
    );
  }
  return parseCommandTemplate(options.command);
}

/** A launched third-party proxy and the idle guests it was given for roles the clause left out. */
interface LaunchedProxy extends RunningProxy {
  readonly command: LaunchedCommand;
}

/**
 * Starts the third party's proxy for one clause: fills the template, launches it, and waits
 * until its socket accepts connections. Roles of the template the clause does not use get an
 * idle simulated guest; what the template cannot express is a TargetCannotConfigureError.
 */
async function launchProxy(
  template: CommandTemplate,
  options: ProxyStartOptions,
  readyTimeoutMs: number,
): Promise<LaunchedProxy> {
  for (const role of options.roles) {
    if (!template.roles.includes(role.role)) {
      throw new TargetCannotConfigureError(
        `the clause needs a guest for role '${role.role}', and the --command template has no {guest.${role.role}} placeholder`,
      );
    }
  }
  if (options.handshakeTimeoutMs !== undefined && !template.placeholders.has('handshake-timeout-ms')) {
    throw new TargetCannotConfigureError(
      `the clause needs a ${options.handshakeTimeoutMs} ms handshake deadline, and the --command template has no {handshake-timeout-ms} placeholder`,
    );
  }
  if (options.defaultRole !== template.roles[0] && !template.placeholders.has('default-role')) {
    throw new TargetCannotConfigureError(
      `the clause needs '${options.defaultRole}' as the default role, and the --command template has no {default-role} placeholder (its first guest is '${template.roles[0]}')`,
    );
  }

  const idle: RunningGuest[] = [];
  const closeIdle = async (): Promise<void> => {
    for (const guest of idle.splice(0)) await guest.close();
  };
  try {
    const socketPath = await tempSocketPath('proxy');
    const values = new Map<string, string>([
      ['listen', `unix://${socketPath}`],
      ['listen.path', socketPath],
      ['default-role', options.defaultRole],
      ['handshake-timeout-ms', String(options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS)],
    ]);
    for (const role of template.roles) {
      const given = options.roles.find((candidate) => candidate.role === role);
      let guestPath = given?.guest;
      if (guestPath === undefined) {
        const guest = await startSimulatedGuest({ name: role, architecture: architectureOf(role) });
        idle.push(guest);
        guestPath = guest.socketPath;
      }
      values.set(`guest.${role}`, `unix://${guestPath}`);
      values.set(`guest.${role}.path`, guestPath);
      const platforms = given?.platforms?.length ? given.platforms : [`linux/${architectureOf(role)}`];
      values.set(`platform.${role}`, platforms.join(','));
    }
    const command = new LaunchedCommand(fillCommandTemplate(template, values));
    attachLog('proxy-command stderr', `(stderr of) ${redact(command.commandLine)}`, () =>
      command.stderrTail(),
    );
    try {
      await command.waitForSocket(socketPath, readyTimeoutMs);
    } catch (error) {
      await command.stop();
      throw error;
    }
    return {
      socketPath,
      command,
      async [Symbol.asyncDispose]() {
        await command.stop();
        await closeIdle();
      },
    };
  } catch (error) {
    await closeIdle();
    throw error;
  }
}

/**
 * The proxy launched in front of a simulated guest for every role of the template (each running
 * `linux/<its architecture>`), the first role being the default; disposing stops both.
 */
async function launchBehindSimulatedGuests(
  template: CommandTemplate,
  readyTimeoutMs: number,
): Promise<LaunchedProxy & { closeIdleGuests(): void }> {
  const guests: RunningGuest[] = [];
  const closeGuests = async (): Promise<void> => {
    for (const guest of guests.splice(0)) await guest.close();
  };
  try {
    for (const role of template.roles) {
      guests.push(await startSimulatedGuest({ name: role, architecture: architectureOf(role) }));
    }
    const roles = template.roles.map((role, index) => ({
      role,
      guest: guests[index]!.socketPath,
      platforms: [`linux/${architectureOf(role)}`],
    }));
    const proxy = await launchProxy(template, { roles, defaultRole: template.roles[0]! }, readyTimeoutMs);
    return {
      socketPath: proxy.socketPath,
      command: proxy.command,
      closeIdleGuests() {
        for (const guest of guests) guest.closeIdleConnections();
      },
      async [Symbol.asyncDispose]() {
        await proxy[Symbol.asyncDispose]();
        await closeGuests();
      },
    };
  } catch (error) {
    await closeGuests();
    throw error;
  }
}

function createProxyFacet(template: CommandTemplate, readyTimeoutMs: number): ProxyFacet {
  return { start: (options) => launchProxy(template, options, readyTimeoutMs) };
}

/**
 * DKR clauses through the third party's proxy: a simulated guest for every role of the template
 * (each runs `linux/<its architecture>`), the proxy launched in front of them, and an engine
 * session over the proxy's socket.
 */
function createEngineFacet(template: CommandTemplate, readyTimeoutMs: number): EngineFacet {
  return {
    kinds: ['proxied'],
    async open(kind): Promise<EngineSession> {
      if (kind !== 'proxied')
        throw new Error(`the proxy-command target has no '${kind}' engine (it has: proxied)`);
      const launched = await launchBehindSimulatedGuests(template, readyTimeoutMs);
      try {
        return await openEngineSession({
          address: { socketPath: launched.socketPath },
          description: `third-party proxy in front of simulated guests (${template.roles.join(', ')})`,
          baseImage: 'local/busybox:1',
          // The guests close what the proxy keeps alive: a pooling proxy must cope with that.
          closeIdle: () => launched.closeIdleGuests(),
          onDispose: async () => {
            await launched[Symbol.asyncDispose]();
          },
        });
      } catch (error) {
        await launched[Symbol.asyncDispose]();
        throw error;
      }
    },
  };
}

/**
 * A third party's proxy, launched from a command template for each clause in front of guests the
 * suite serves on unix sockets (HND, UPG clauses; DKR through the proxy).
 */
export function createProxyCommandTarget(options: TargetOptions): Target {
  const template = templateOf(options);
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  return {
    name: 'proxy-command',
    description: `third-party proxy launched as: ${redact(template.text)}`,
    proxy: createProxyFacet(template, readyTimeoutMs),
    engine: createEngineFacet(template, readyTimeoutMs),
    async [Symbol.asyncDispose]() {},
  };
}

/**
 * Launches the proxy once in front of simulated guests for every role of the template, checks
 * that `GET /_ping` and `GET /version` answer through it, records what answered, and stops it.
 */
export async function probeProxyCommandTarget(options: TargetOptions): Promise<TargetProbe> {
  const template = templateOf(options);
  await using proxy = await launchBehindSimulatedGuests(template, options.readyTimeoutMs ?? 15_000);
  let ping;
  let version;
  try {
    const address = { socketPath: proxy.socketPath };
    ping = await httpCall(address, 'GET', '/_ping', { timeoutMs: PROBE_TIMEOUT_MS });
    version = await httpCall(address, 'GET', '/version', { timeoutMs: PROBE_TIMEOUT_MS });
  } catch (error) {
    throw new TargetUnavailableError(
      `the proxy listens but does not answer GET /_ping: ${(error as Error).message}\nstderr: ${proxy.command.stderrTail().trim() || '(empty)'}`,
    );
  }
  if (ping.status !== 200) {
    throw new TargetUnavailableError(
      `GET /_ping through the proxy answered ${ping.status} ${JSON.stringify(ping.text.slice(0, 200))}, expected 200 OK`,
    );
  }
  let versionFacts: unknown = version.text.slice(0, 500);
  try {
    versionFacts = JSON.parse(version.text) as unknown;
  } catch {
    // recorded as text
  }
  return {
    description: `third-party proxy launched as: ${redact(template.text)}`,
    facts: {
      command: redact(template.text),
      roles: template.roles,
      pingApiVersion: ping.headers['api-version'] ?? null,
      server: ping.headers.server ?? null,
      versionStatus: version.status,
      version: versionFacts,
    },
  };
}
