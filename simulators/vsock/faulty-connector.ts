import type { Duplex } from 'node:stream';
import {
  ConnectAbortedError,
  ConnectRefusedError,
  ConnectTimeoutError,
  UnknownRoleError,
  type ConnectOptions,
  type Connector,
  type Role,
} from '../../protocol/connector.js';
import { hasErrorCode } from '../../protocol/errors.js';
import { ConnectionLog, type ConnectionOutcome, type ConnectionRecord } from './connection-log.js';
import { FaultRelay } from './fault-relay.js';
import { assertValidFaults, buildFaultScript, type FaultPlan, type FaultScript } from './faults.js';
import type { TransportFault } from '../../protocol/faults.js';
import { createMemoryDuplexPair } from './memory-duplex-pair.js';

export interface FaultyConnectorOptions {
  /**
   * Connect timeout in ms, covering `connect-delay`, `connect-stall` and the inner connect. Default: the
   * inner connector's `connectTimeoutMs` when it has one, else 5000.
   */
  readonly connectTimeoutMs?: number;
}

interface PendingConnect {
  cancel(): void;
}

function outcomeOf(error: unknown): ConnectionOutcome {
  if (hasErrorCode(error, 'ERR_CONNECT_REFUSED')) return 'refused';
  if (hasErrorCode(error, 'ERR_CONNECT_TIMEOUT')) return 'timeout';
  if (hasErrorCode(error, 'ERR_CONNECT_ABORTED')) return 'aborted';
  return 'failed';
}

/**
 * Wraps a Connector and applies scripted, deterministic faults per connection (see TransportFault in protocol/faults.ts). The
 * client gets one end of a memory socketpair; a relay between its other end and the inner stream
 * applies the data-phase faults. Every connection is logged (records()).
 */
export class FaultyConnector implements Connector, AsyncDisposable {
  readonly roles: readonly Role[];
  readonly connectTimeoutMs: number;
  readonly #inner: Connector;
  readonly #script: FaultScript;
  readonly #logs: ConnectionLog[] = [];
  readonly #relays = new Set<FaultRelay>();
  readonly #pending = new Set<PendingConnect>();
  #next = 0;

  constructor(inner: Connector, script: FaultScript | FaultPlan, options: FaultyConnectorOptions = {}) {
    this.#inner = inner;
    this.roles = inner.roles;
    this.#script = typeof script === 'function' ? script : buildFaultScript(script);
    const innerTimeout = (inner as { readonly connectTimeoutMs?: unknown }).connectTimeoutMs;
    this.connectTimeoutMs =
      options.connectTimeoutMs ?? (typeof innerTimeout === 'number' ? innerTimeout : 5000);
  }

  async connect(role: Role, options: ConnectOptions = {}): Promise<Duplex> {
    if (!this.roles.includes(role)) throw new UnknownRoleError(role, this.roles);
    const index = this.#next++;
    const faults = this.#script(index, role);
    assertValidFaults(faults);
    const log = new ConnectionLog(index, role, faults);
    this.#logs.push(log);
    const { signal } = options;

    // 1. Already aborted: nothing is attempted.
    if (signal?.aborted) {
      log.settle('aborted');
      throw new ConnectAbortedError(role, { cause: signal.reason });
    }
    // 2. refuse: rejected before anything else happens.
    if (faults.some((fault) => fault.kind === 'refuse')) {
      log.fire('refuse');
      log.settle('refused');
      throw new ConnectRefusedError(role, `fault:refuse#${index}`);
    }
    // 3. connect-stall / connect-delay / inner connect, all under the connect timeout.
    const inner = await this.#connectPhase(log, faults, signal);
    log.outcome = 'open';
    const [client, near] = createMemoryDuplexPair();
    const relay = new FaultRelay(client, near, inner, faults, log);
    this.#relays.add(relay);
    void relay.closed.then(() => this.#relays.delete(relay));
    return client;
  }

  #connectPhase(
    log: ConnectionLog,
    faults: readonly TransportFault[],
    signal: AbortSignal | undefined,
  ): Promise<Duplex | null> {
    const { role } = log;
    const timeoutMs = this.connectTimeoutMs;
    const innerAbort = new AbortController();
    return new Promise<Duplex | null>((resolve, reject) => {
      let settled = false;
      let delayTimer: NodeJS.Timeout | undefined;
      const pending: PendingConnect = {
        cancel: () => fail('aborted', new ConnectAbortedError(role, { cause: 'connector closed' })),
      };
      const cleanup = (): void => {
        settled = true;
        clearTimeout(timer);
        clearTimeout(delayTimer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(pending);
      };
      const fail = (outcome: ConnectionOutcome, error: Error): void => {
        if (settled) return;
        cleanup();
        log.settle(outcome);
        innerAbort.abort(error);
        reject(error);
      };
      const onAbort = (): void => fail('aborted', new ConnectAbortedError(role, { cause: signal?.reason }));
      const timer = setTimeout(() => fail('timeout', new ConnectTimeoutError(role, timeoutMs)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.add(pending);

      const start = (): void => {
        // black-hole: no guest is reached.
        if (faults.some((fault) => fault.kind === 'black-hole')) {
          cleanup();
          resolve(null);
          return;
        }
        this.#inner.connect(role, { signal: innerAbort.signal }).then(
          (stream) => {
            if (settled) {
              stream.destroy();
              return;
            }
            cleanup();
            resolve(stream);
          },
          (error: unknown) =>
            fail(outcomeOf(error), error instanceof Error ? error : new Error(String(error))),
        );
      };

      if (faults.some((fault) => fault.kind === 'connect-stall')) {
        log.fire('connect-stall');
        return; // only the timeout, an abort or closeAll() ends this connect
      }
      const delay = faults.find((fault) => fault.kind === 'connect-delay');
      if (delay) {
        log.fire('connect-delay');
        delayTimer = setTimeout(start, delay.ms);
      } else {
        start();
      }
    });
  }

  /** Snapshots of every connection attempted so far, in connect() order. */
  records(): ConnectionRecord[] {
    return this.#logs.map((log) => log.snapshot());
  }

  /** Snapshot of the `index`-th connection, if it was attempted. */
  record(index: number): ConnectionRecord | undefined {
    return this.#logs[index]?.snapshot();
  }

  /** Number of connect() calls so far. */
  get attempts(): number {
    return this.#next;
  }

  /** Resolves once no connect is pending and every relayed connection has closed. */
  async whenIdle(): Promise<void> {
    while (this.#relays.size > 0 || this.#pending.size > 0) {
      await Promise.all([...this.#relays].map((relay) => relay.closed));
      if (this.#pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Cancels pending connects (ConnectAbortedError), cuts every open connection (outcome
   * `disposed`) and clears the relays' timers; resolves when everything has closed.
   */
  async closeAll(): Promise<void> {
    for (const pending of [...this.#pending]) pending.cancel();
    await Promise.all([...this.#relays].map((relay) => relay.teardown('disposed')));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.closeAll();
  }
}
