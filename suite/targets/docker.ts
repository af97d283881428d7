import { readRunEnvironment } from '../../reports/model/run-environment.js';
import { TargetUnavailableError } from '../support/suite-errors.js';
import type { EngineAddress, EngineFacet } from './engine-facet.js';
import { formatDockerHost, openEngineSession } from './engine-session.js';
import { httpCall, type HttpAnswer } from '../support/http/http-call.js';
import { startReferenceProxyFor } from './reference-engine.js';
import { referenceSnapshot } from './reference-snapshot.js';
import type { SnapshotFacet } from './snapshot-facet.js';
import { TargetCannotConfigureError, type Target, type TargetOptions, type TargetProbe } from './target.js';

/**
 * Images the DKR and SNP clauses may use as their base (they need `/bin/sh` and the busybox
 * applets), in order of preference: the first one present on the daemon is used.
 */
export const BASE_IMAGE_CANDIDATES = [
  'local/busybox:1',
  'busybox:latest',
  'busybox:stable',
  'busybox:musl',
  'busybox:glibc',
  'busybox:uclibc',
] as const;

const DEFAULT_TCP_PORT = 2375;
const PROBE_TIMEOUT_MS = 5000;

const MISSING_HOST = '--target docker needs --docker-host or DOCKER_HOST (unix:///path or tcp://host:port)';

/**
 * Where the docker target reaches its daemon: `unix:///absolute/path` or `tcp://host[:port]`
 * (plain HTTP; port 2375 by default). Anything else, or nothing, is a TargetUnavailableError with
 * one line saying what to pass instead.
 */
export function parseDockerHost(text: string | undefined): EngineAddress {
  const host = text?.trim() ?? '';
  if (host === '') throw new TargetUnavailableError(MISSING_HOST);
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw new TargetUnavailableError(
        `--docker-host '${host}' needs an absolute socket path, as in unix:///var/run/docker.sock`,
      );
    }
    return { socketPath };
  }
  if (host.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(`http://${host.slice('tcp://'.length)}`);
    } catch {
      throw new TargetUnavailableError(`--docker-host '${host}' is not a valid tcp://host:port address`);
    }
    if (url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '') {
      throw new TargetUnavailableError(`--docker-host '${host}' is not a valid tcp://host:port address`);
    }
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? DEFAULT_TCP_PORT : Number(url.port),
    };
  }
  throw new TargetUnavailableError(
    `--docker-host '${host}' is not supported: the docker target reaches daemons at unix:///path or tcp://host:port`,
  );
}

/** What the probe found out about the daemon (recorded in results.json). */
export interface DockerDaemonFacts {
  readonly dockerHost: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly minApiVersion: string;
  readonly os: string;
  readonly arch: string;
  readonly kernelVersion: string;
  /** The headers of the `GET /_ping` answer the clauses care about (Api-Version, Server, ...). */
  readonly ping: Readonly<Record<string, string>>;
  /** The base image the clauses use (the first of BASE_IMAGE_CANDIDATES present). */
  readonly baseImage: string;
}

/** One probe request; a failure to get an answer is a TargetUnavailableError saying where. */
async function get(address: EngineAddress, dockerHost: string, path: string): Promise<HttpAnswer> {
  try {
    return await httpCall(address, 'GET', path, { timeoutMs: PROBE_TIMEOUT_MS });
  } catch (error) {
    throw new TargetUnavailableError(
      `cannot reach the Docker daemon at ${dockerHost}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

const PING_HEADERS = ['api-version', 'server', 'ostype', 'docker-experimental', 'builder-version', 'swarm'];

function stringField(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  return typeof value === 'string' ? value : '';
}

/**
 * Probes the daemon at `dockerHost`: `GET /_ping`, `GET /version`, then the base image. Rejects
 * with a TargetUnavailableError whose message is one line saying what is wrong.
 */
export async function probeDockerDaemon(dockerHost: string | undefined): Promise<DockerDaemonFacts> {
  const address = parseDockerHost(dockerHost);
  const host = formatDockerHost(address);
  const ping = await get(address, host, '/_ping');
  if (ping.status !== 200 || ping.text.trim() !== 'OK') {
    throw new TargetUnavailableError(
      `the Docker daemon at ${host} answered GET /_ping with ${ping.status} ${JSON.stringify(ping.text.slice(0, 80))}, not 200 "OK"`,
    );
  }
  const version = await get(address, host, '/version');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(version.text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  if (version.status !== 200 || stringField(body, 'ApiVersion') === '') {
    throw new TargetUnavailableError(
      `the Docker daemon at ${host} answered GET /version with ${version.status} and no ApiVersion`,
    );
  }
  let baseImage: string | undefined;
  for (const candidate of BASE_IMAGE_CANDIDATES) {
    const inspect = await get(address, host, `/images/${candidate}/json`);
    if (inspect.status === 200) {
      baseImage = candidate;
      break;
    }
  }
  if (baseImage === undefined) {
    throw new TargetUnavailableError(
      `the Docker daemon at ${host} has none of the base images ${BASE_IMAGE_CANDIDATES.join(', ')}; provide one with \`DOCKER_HOST=${host} docker pull busybox\``,
    );
  }
  const pingHeaders: Record<string, string> = {};
  for (const name of PING_HEADERS) {
    const value = ping.headers[name];
    if (typeof value === 'string') pingHeaders[name] = value;
  }
  return {
    dockerHost: host,
    version: stringField(body, 'Version'),
    apiVersion: stringField(body, 'ApiVersion'),
    minApiVersion: stringField(body, 'MinAPIVersion'),
    os: stringField(body, 'Os') || 'linux',
    arch: stringField(body, 'Arch'),
    kernelVersion: stringField(body, 'KernelVersion'),
    ping: pingHeaders,
    baseImage,
  };
}

/** Checks, once before the run, that the daemon answers and has a base image; records what it is. */
export async function probeDockerTarget(options: TargetOptions): Promise<TargetProbe> {
  const facts = await probeDockerDaemon(options.dockerHost);
  return {
    description: `Docker ${facts.version} (API ${facts.apiVersion}, ${facts.os}/${facts.arch}) at ${facts.dockerHost}`,
    facts: {
      dockerHost: facts.dockerHost,
      Version: facts.version,
      ApiVersion: facts.apiVersion,
      MinAPIVersion: facts.minApiVersion,
      Os: facts.os,
      Arch: facts.arch,
      KernelVersion: facts.kernelVersion,
      ping: facts.ping,
      baseImage: facts.baseImage,
    },
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}

/**
 * The daemon facts the run's probe recorded (BERTH_TARGET_PROBE, written by `berth run` or the
 * global setup with probeDockerTarget before the workers start), when it probed the daemon at
 * this very `dockerHost` and every fact is well formed; undefined otherwise (no probe, another
 * target's, another daemon's, unparsable).
 */
export function probedDaemonFacts(
  dockerHost: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): DockerDaemonFacts | undefined {
  let host: string;
  let facts: Record<string, unknown> | undefined;
  try {
    host = formatDockerHost(parseDockerHost(dockerHost));
    facts = readRunEnvironment(env).targetProbe?.facts;
  } catch {
    return undefined;
  }
  if (typeof facts !== 'object' || facts === null || facts.dockerHost !== host) return undefined;
  const keys = ['Version', 'ApiVersion', 'MinAPIVersion', 'Os', 'Arch', 'KernelVersion', 'baseImage'];
  if (!keys.every((key) => typeof facts[key] === 'string') || !isStringRecord(facts.ping)) return undefined;
  const text = (key: string): string => facts[key] as string;
  const found: DockerDaemonFacts = {
    dockerHost: host,
    version: text('Version'),
    apiVersion: text('ApiVersion'),
    minApiVersion: text('MinAPIVersion'),
    os: text('Os'),
    arch: text('Arch'),
    kernelVersion: text('KernelVersion'),
    ping: { ...facts.ping },
    baseImage: text('baseImage'),
  };
  // What probeDockerDaemon guarantees: an API version, an OS, and a base image among the candidates.
  const baseImages: readonly string[] = BASE_IMAGE_CANDIDATES;
  if (found.apiVersion === '' || found.os === '' || !baseImages.includes(found.baseImage)) return undefined;
  return found;
}

const SCRIPTED_DAEMONS =
  'the docker target checks the snapshot backend over its own daemon; clauses with scripted daemons run on the reference target';

/**
 * A real Docker-compatible daemon at `options.dockerHost`. It offers the DKR clauses against the
 * daemon (`real`) and through the reference proxy in front of it (`proxied`: proxy transparency),
 * and the reference snapshot backend over it (SNP). Nothing is touched at creation (listing the
 * suite needs no daemon). The daemon facts are those the run's probe recorded for this daemon
 * (BERTH_TARGET_PROBE in `env`, see probedDaemonFacts); without such a probe, the daemon is probed
 * on first use, once per worker. Sessions remove only what they created: see engine-session.ts.
 */
export function createDockerTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env): Target {
  const probed = probedDaemonFacts(options.dockerHost, env);
  let facts: Promise<DockerDaemonFacts> | undefined =
    probed === undefined ? undefined : Promise.resolve(probed);
  const daemon = (): Promise<DockerDaemonFacts> => (facts ??= probeDockerDaemon(options.dockerHost));
  const where = options.dockerHost?.trim() || '(no --docker-host or DOCKER_HOST)';

  const engine: EngineFacet = {
    kinds: ['real', 'proxied'],
    async open(kind) {
      const found = await daemon();
      const address = parseDockerHost(found.dockerHost);
      const daemonLine = `Docker ${found.version} (API ${found.apiVersion}) at ${found.dockerHost}`;
      if (kind === 'real') {
        return openEngineSession({ address, description: daemonLine, baseImage: found.baseImage });
      }
      if (kind !== 'proxied') {
        throw new Error(`the docker target has no '${kind}' engine (it has: real, proxied)`);
      }
      const proxied = await startReferenceProxyFor(address, [`${found.os}/${found.arch}`]);
      return openEngineSession({
        address: proxied.address,
        description: `reference proxy at ${formatDockerHost(proxied.address)} in front of ${daemonLine}`,
        baseImage: found.baseImage,
        closeIdle: () => proxied.closeIdle(),
        onDispose: () => proxied.close(),
      }).catch(async (error: unknown) => {
        await proxied.close();
        throw error;
      });
    },
  };

  const snapshot: SnapshotFacet = {
    endpoints: [{ name: 'target daemon', endpoint: { kind: 'real', dockerHost: where } }],
    async open(endpoint) {
      if (endpoint.kind !== 'real') throw new TargetCannotConfigureError(SCRIPTED_DAEMONS);
      const found = await daemon();
      return referenceSnapshot.open({
        kind: 'real',
        dockerHost: found.dockerHost,
        baseImage: found.baseImage,
      });
    },
    connect: () => Promise.reject(new TargetCannotConfigureError(SCRIPTED_DAEMONS)),
    buildCacheKey: (stepKey, cacheKey) => referenceSnapshot.buildCacheKey(stepKey, cacheKey),
    snapshotTarget: (label, containerId) => referenceSnapshot.snapshotTarget(label, containerId),
  };

  return {
    name: 'docker',
    description: `a Docker-compatible daemon at ${where} (directly and through the reference proxy)`,
    engine,
    snapshot,
    async [Symbol.asyncDispose]() {},
  };
}
