import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { listenUnix, type UnixListener } from '../vsock/index.js';
import { FaultRegistry } from './api/fault-registry.js';
import { createApiHandler } from './api/create-api-handler.js';
import type { DaemonIdentity } from './api/api-context.js';
import { SimulatorUsageError } from './dockerd-errors.js';
import { createSystemClock, type Clock } from './engine/clock.js';
import { DockerEngine } from './engine/docker-engine.js';
import { createIdGenerator } from './engine/id-generator.js';
import { DEFAULT_SEED_IMAGES, type SeedImage } from './engine/seed-image.js';
import type { ResponseWriter } from './http/response-writer.js';
import { serveConnection, type HttpRequest } from './http/serve-connection.js';
import { waitClosed } from '../../protocol/wait-closed.js';

export interface SimulatedDockerdOptions {
  /** Reported as /info Name; also the default ID seed. Default "sim-dockerd". */
  readonly name?: string;
  /** GOARCH the daemon reports (/version, /info, images, platform checks). Default "amd64". */
  readonly architecture?: string;
  readonly os?: 'linux';
  /** API versions served (DKR-1). Default max 1.41, min 1.24 (dockerd 20.10 itself still accepts 1.12). */
  readonly apiVersion?: { readonly min?: string; readonly max?: string };
  /** Images present at start; a string is a busybox image with that reference. Default local/busybox:1. */
  readonly images?: readonly (string | SeedImage)[];
  /** Seed of container, exec and network IDs; default derived from `name` and the instance count. */
  readonly idSeed?: string;
  /** Default "20.10.24+dfsg1" (the Server header says Docker/<this> (linux)). */
  readonly engineVersion?: string;
  readonly experimental?: boolean;
  readonly dataRoot?: string;
  readonly execRoot?: string;
  readonly storageDriver?: string;
  /** How long an exec resize waits for its exec to start (dockerd: 10 s). */
  readonly execReadyTimeoutMs?: number;
  /** Largest request head accepted before 431 (net/http: 1 MiB + 4 KiB). */
  readonly maxHeadBytes?: number;
  /** The error text of a pull (no registry is reachable); receives the registry domain. */
  readonly pullError?: (domain: string) => string;
  /** Errors the simulator could not answer as Docker errors (its own bugs); default: ignored. */
  readonly onError?: (error: unknown) => void;
  /** Told of every request head it reads, before it is handled (for counting what arrived). */
  readonly onRequest?: (method: string, target: string) => void;
  readonly clock?: Clock;
}

/** A running simulated guest dockerd that owns its listeners, connections and processes. */
export interface SimulatedDockerd extends AsyncDisposable {
  readonly name: string;
  /** The state behind the API (containers, execs, images), for tests and harnesses. */
  readonly engine: DockerEngine;
  /** Per-endpoint fault injection. */
  readonly faults: FaultRegistry;
  /** Addresses it listens on ("unix:///…", "tcp://127.0.0.1:port"). */
  readonly addresses: readonly string[];
  /** Serves HTTP on an accepted byte stream (an in-memory socket, a vsock...). */
  accept(socket: Duplex): void;
  /** GuestSink compatibility: `emit('connection', socket)` is accept(socket). */
  emit(event: 'connection', socket: Duplex): boolean;
  /** Listens on `unix:///path.sock` or `tcp://127.0.0.1:<port>`; resolves with the bound address. */
  listen(address: string): Promise<string>;
  /**
   * Closes every connection that is waiting for its next request (keep-alive connections a
   * client, or a proxy's pool, holds open), as Go's Server.CloseIdleConnections does; resolves
   * with how many it closed.
   */
  closeIdleConnections(): number;
  /** Stops listening, kills every process and closes every connection. */
  close(): Promise<void>;
}

const instances = new Map<string, number>();

function hostResolver(): string {
  try {
    const conf = readFileSync('/etc/resolv.conf', 'utf8');
    const server = /^\s*nameserver\s+(\S+)/m.exec(conf)?.[1];
    if (server) return server.includes(':') ? `[${server}]:53` : `${server}:53`;
  } catch {
    // No resolv.conf: Go falls back to localhost.
  }
  return '127.0.0.1:53';
}

function defaultPullError(domain: string): string {
  const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
  const lookup = host.replace(/:\d+$/, '');
  return `Get "https://${host}/v2/": dial tcp: lookup ${lookup} on ${hostResolver()}: no such host`;
}

class SimulatedDockerdImpl implements SimulatedDockerd {
  readonly name: string;
  readonly engine: DockerEngine;
  readonly faults = new FaultRegistry();
  readonly #handler;
  readonly #options: SimulatedDockerdOptions;
  readonly #sockets = new Set<Duplex>();
  /** Connections waiting for their next request. */
  readonly #idle = new Set<Duplex>();
  readonly #unix: UnixListener[] = [];
  readonly #tcp: Server[] = [];
  readonly #addresses: string[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: SimulatedDockerdOptions) {
    this.#options = options;
    this.name = options.name ?? 'sim-dockerd';
    const instance = (instances.get(this.name) ?? 0) + 1;
    instances.set(this.name, instance);
    const architecture = options.architecture ?? 'amd64';
    const os = options.os ?? 'linux';
    const engineVersion = options.engineVersion ?? '20.10.24+dfsg1';
    const seeds = (options.images ?? DEFAULT_SEED_IMAGES).map((image) =>
      typeof image === 'string' ? { reference: image } : image,
    );
    this.engine = new DockerEngine({
      clock: options.clock ?? createSystemClock(),
      ids: createIdGenerator(options.idSeed ?? `${this.name}#${instance}`),
      architecture,
      os,
      engineVersion,
      paths: {
        dataRoot: options.dataRoot ?? '/var/lib/docker',
        execRoot: options.execRoot ?? '/var/run/docker',
        storageDriver: options.storageDriver ?? 'vfs',
      },
      seedImages: seeds,
    });
    const identity: DaemonIdentity = {
      name: this.name,
      engineVersion,
      maxApiVersion: options.apiVersion?.max ?? '1.41',
      minApiVersion: options.apiVersion?.min ?? '1.24',
      os,
      architecture,
      experimental: options.experimental ?? false,
      execReadyTimeoutMs: options.execReadyTimeoutMs ?? 10_000,
      pullError: options.pullError ?? defaultPullError,
    };
    const handler = createApiHandler({ engine: this.engine, identity, faults: this.faults });
    const onRequest = options.onRequest;
    this.#handler =
      onRequest === undefined
        ? handler
        : (request: HttpRequest, response: ResponseWriter): Promise<void> => {
            onRequest(request.method, request.target);
            return handler(request, response);
          };
  }

  get addresses(): readonly string[] {
    return [...this.#addresses];
  }

  closeIdleConnections(): number {
    const idle = [...this.#idle];
    for (const socket of idle) socket.destroy();
    return idle.length;
  }

  accept(socket: Duplex): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#idle.delete(socket);
    });
    const serve = serveConnection(socket, this.#handler, {
      ...(this.#options.maxHeadBytes === undefined ? {} : { maxHeadBytes: this.#options.maxHeadBytes }),
      onHandlerError: (error) => this.#options.onError?.(error),
      onIdle: (idle) => {
        if (idle && !socket.destroyed) this.#idle.add(socket);
        else this.#idle.delete(socket);
      },
    });
    serve.catch((error: unknown) => {
      this.#options.onError?.(error);
      socket.destroy();
    });
  }

  emit(event: 'connection', socket: Duplex): boolean {
    if (event !== 'connection') return false;
    this.accept(socket);
    return true;
  }

  async listen(address: string): Promise<string> {
    if (this.#closing) throw new SimulatorUsageError('the simulated dockerd is closed');
    if (address.startsWith('unix://')) {
      const path = address.slice('unix://'.length);
      const listener = await listenUnix(path, (socket) => this.accept(socket), { backlog: 511 });
      this.#unix.push(listener);
      this.#addresses.push(address);
      return address;
    }
    const tcp = /^tcp:\/\/(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/.exec(address);
    if (!tcp)
      throw new SimulatorUsageError(
        `cannot listen on ${address}: use unix:///path or tcp://127.0.0.1:<port>`,
      );
    const host = (tcp[1] as string).replace(/^\[|\]$/g, '');
    const server = createServer({ allowHalfOpen: true }, (socket: Socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: Number(tcp[2]), backlog: 511 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#tcp.push(server);
    const bound = server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : Number(tcp[2]);
    const result = `tcp://${tcp[1]}:${port}`;
    this.#addresses.push(result);
    return result;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const servers = this.#tcp.map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      );
      this.engine.shutdown();
      const sockets = [...this.#sockets];
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        ...servers,
        ...this.#unix.map((listener) => listener.close()),
        ...sockets.map(waitClosed),
      ]);
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Creates a simulated dockerd 20.10 (API 1.41); serve it with listen() or accept(). */
export function createSimulatedDockerd(options: SimulatedDockerdOptions = {}): SimulatedDockerd {
  return new SimulatedDockerdImpl(options);
}
