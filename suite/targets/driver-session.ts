import { recordExchange } from '../support/transcript.js';
import type { DriverExchange } from './driver-channel.js';
import { DriverConnection } from './driver-connection.js';
import type { Component, Hello, JsonObject } from './driver-wire.js';
import { TargetCannotConfigureError } from './target.js';

export interface DriverSessionOptions {
  readonly command: string;
  /** Deadline of the hello (BERTH_COMMAND_READY_MS / --ready-timeout-ms). */
  readonly readyTimeoutMs: number;
  /** Deadline of every other request. */
  readonly callTimeoutMs?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly exitGraceMs?: number;
}

/** Records a finished exchange in the running clause's transcript (a no-op outside a clause). */
function recordDriverExchange(connection: DriverConnection, exchange: DriverExchange): void {
  if (exchange.asker === 'driver') {
    // A callback: the driver asked, the suite answered.
    recordExchange('driver callback', exchange.reply as string, exchange.requestLine);
    return;
  }
  recordExchange('driver', exchange.requestLine, exchange.reply);
  if (exchange.reply instanceof Error) {
    const tail = connection.stderrTail();
    if (tail.trim() !== '') recordExchange('driver stderr', '(stderr tail)', tail);
  }
}

interface Live {
  readonly connection: DriverConnection;
  readonly ready: Promise<Hello>;
}

/** An instance a driver created (a registry, a composite) and how to dispose of it. */
export interface DriverInstance {
  readonly connection: DriverConnection;
  readonly op: string;
  readonly handle: string;
  readonly release?: () => void;
}

/**
 * The driver process of one test worker, started lazily on first use and started again after it
 * broke (exited, timed out its hello, violated the protocol). Each exchange lands in the running
 * clause's transcript. Instances (registries, composites) are disposed on the driver when the
 * suite drops them, or with the session.
 */
export class DriverSession implements AsyncDisposable {
  readonly #options: DriverSessionOptions;
  readonly #setups: ((connection: DriverConnection) => void)[] = [];
  /** Every connection started, so disposal waits for each (broken ones are disposed at once). */
  readonly #connections: DriverConnection[] = [];
  #live: Live | undefined;
  readonly #finalizer = new FinalizationRegistry<DriverInstance>((instance) => this.#release(instance));

  constructor(options: DriverSessionOptions) {
    this.#options = options;
  }

  /** Runs `setup` on every connection the session starts (to register callback handlers). */
  onConnection(setup: (connection: DriverConnection) => void): void {
    this.#setups.push(setup);
  }

  /**
   * The live connection after a successful hello. A driver that does not offer `component`
   * makes the clause `disabled` (TargetCannotConfigureError).
   */
  async connect(component: Component): Promise<DriverConnection> {
    let live = this.#live;
    if (live === undefined || live.connection.closeReason !== undefined) {
      live = this.#start();
      this.#live = live;
    }
    const hello = await live.ready;
    if (!hello.components.includes(component)) {
      throw new TargetCannotConfigureError(
        `driver '${hello.name}' offers no ${component} component (it offers: ${hello.components.join(', ') || 'none'})`,
      );
    }
    return live.connection;
  }

  #start(): Live {
    const connection: DriverConnection = new DriverConnection({
      command: this.#options.command,
      onExchange: (exchange) => recordDriverExchange(connection, exchange),
      ...(this.#options.callTimeoutMs === undefined ? {} : { callTimeoutMs: this.#options.callTimeoutMs }),
      ...(this.#options.cwd === undefined ? {} : { cwd: this.#options.cwd }),
      ...(this.#options.env === undefined ? {} : { env: this.#options.env }),
      ...(this.#options.exitGraceMs === undefined ? {} : { exitGraceMs: this.#options.exitGraceMs }),
    });
    for (const setup of this.#setups) setup(connection);
    const started = connection;
    this.#connections.push(started);
    // A broken driver (exited, protocol violation) is reaped at once; a later connect starts anew.
    void started.closed.then(() => started[Symbol.asyncDispose]());
    const ready = started.hello(this.#options.readyTimeoutMs).catch(async (error: unknown) => {
      await started[Symbol.asyncDispose]();
      throw error;
    });
    // Callers await `ready`; this keeps an unobserved failure from being reported as unhandled.
    ready.catch(() => undefined);
    return { connection: started, ready };
  }

  /**
   * Tracks an instance the driver created: when `owner` (the suite's proxy of it) is garbage
   * collected, `op` (`registry.dispose`, `dispatch.dispose`) is sent for `handle`.
   */
  track(owner: object, instance: DriverInstance): void {
    this.#finalizer.register(owner, instance, owner);
  }

  /** Disposes an instance now (and stops tracking `owner`). */
  async disposeInstance(owner: object, instance: DriverInstance): Promise<void> {
    this.#finalizer.unregister(owner);
    instance.release?.();
    if (instance.connection.closeReason !== undefined) return;
    await instance.connection.request(instance.op, { handle: instance.handle } satisfies JsonObject);
  }

  #release(instance: DriverInstance): void {
    instance.release?.();
    if (instance.connection.closeReason !== undefined) return;
    instance.connection
      .request(instance.op, { handle: instance.handle }, { record: false })
      .catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const connections = this.#connections.splice(0);
    this.#live = undefined;
    await Promise.all(connections.map((connection) => connection[Symbol.asyncDispose]()));
  }
}
