import { Buffer } from 'node:buffer';
import type { PauseGate, ProcessOutput } from '../program/process-context.js';
import { killedReason } from '../program/process-killed-error.js';
import type { LogStore, LogStream } from './log-store.js';

/** Where an attached client receives a process's output (DKR-19/21). */
export interface StreamSink {
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** Resolves once the transport accepted the bytes (backpressure reaches the process). */
  write(stream: LogStream, data: Buffer): Promise<void>;
  /** The process's output ended (exit): the sink finishes its stream. */
  end(): void;
}

export interface OutputHubOptions {
  readonly tty: boolean;
  readonly now: () => bigint;
  readonly log?: LogStore;
  readonly gate?: PauseGate;
}

/** onlcr of a TTY: every "\n" leaves as "\r\n". */
function toTty(data: Buffer): Buffer {
  if (!data.includes(0x0a)) return data;
  const parts: Buffer[] = [];
  let start = 0;
  for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
    parts.push(data.subarray(start, nl), Buffer.from('\r\n'));
    start = nl + 1;
  }
  parts.push(data.subarray(start));
  return Buffer.concat(parts);
}

/**
 * The stdout and stderr of a process (a container's main process or an exec): each write goes to
 * the container log (if any) and to every attached sink that wants that stream; with a TTY both
 * streams are one raw stream.
 */
export class OutputHub {
  readonly sinks = new Set<StreamSink>();
  readonly #options: OutputHubOptions;

  constructor(options: OutputHubOptions) {
    this.#options = options;
  }

  get tty(): boolean {
    return this.#options.tty;
  }

  output(stream: LogStream, signal: AbortSignal): ProcessOutput {
    return {
      write: async (data) => {
        if (signal.aborted) throw killedReason(signal);
        const gate = this.#options.gate;
        if (gate?.paused) await gate.whenRunning(signal);
        const raw = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        if (raw.length === 0) return;
        const bytes = this.#options.tty ? toTty(raw) : Buffer.from(raw);
        const target: LogStream = this.#options.tty ? 'stdout' : stream;
        this.#options.log?.append(target, bytes, this.#options.now());
        const writes = [...this.sinks]
          .filter((sink) => (target === 'stdout' ? sink.stdout : sink.stderr))
          .map((sink) => sink.write(target, bytes));
        if (writes.length === 0) return;
        await raceAbort(Promise.all(writes), signal);
      },
    };
  }

  /** The process ended: every sink finishes. */
  endAll(): void {
    const sinks = [...this.sinks];
    this.sinks.clear();
    for (const sink of sinks) sink.end();
  }
}

/** Waits for `promise` unless `signal` aborts first (a killed process stops waiting on clients). */
async function raceAbort(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  let off: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    off = () => signal.removeEventListener('abort', onAbort);
  });
  try {
    await Promise.race([promise.then(() => undefined), aborted]);
  } finally {
    off?.();
  }
}
