import { Buffer } from 'node:buffer';

export type LogStream = 'stdout' | 'stderr';

/** One json-file log message: a line with its "\n" (or a partial line at the end of a run). */
export interface LogEntry {
  readonly stream: LogStream;
  readonly timeNs: bigint;
  readonly data: Buffer;
}

export type LogListener = (entry: LogEntry) => void;

/**
 * A container's log (the json-file driver): output is cut into lines, each stamped when it is
 * complete; a line without its newline is kept until the newline comes or the run ends. Readers
 * that follow get every later line and are told when the run ends.
 */
export class LogStore {
  readonly entries: LogEntry[] = [];
  readonly #partial: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  readonly #listeners = new Set<LogListener>();
  readonly #endListeners = new Set<() => void>();

  append(stream: LogStream, chunk: Buffer, nowNs: bigint): void {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
      const pending = this.#partial[stream];
      const line = Buffer.concat([...pending, chunk.subarray(start, newline + 1)]);
      pending.length = 0;
      this.#emit({ stream, timeNs: nowNs, data: line });
      start = newline + 1;
    }
    if (start < chunk.length) this.#partial[stream].push(Buffer.from(chunk.subarray(start)));
  }

  /** The run ended: partial lines become messages and followers stop. */
  endRun(nowNs: bigint): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const pending = this.#partial[stream];
      if (pending.length > 0) this.#emit({ stream, timeNs: nowNs, data: Buffer.concat(pending) });
      pending.length = 0;
    }
    const ends = [...this.#endListeners];
    this.#endListeners.clear();
    this.#listeners.clear();
    for (const end of ends) end();
  }

  /** Follows new messages until the run ends (`onEnd`) or the returned function is called. */
  follow(listener: LogListener, onEnd: () => void): () => void {
    this.#listeners.add(listener);
    this.#endListeners.add(onEnd);
    return () => {
      this.#listeners.delete(listener);
      this.#endListeners.delete(onEnd);
    };
  }

  #emit(entry: LogEntry): void {
    this.entries.push(entry);
    for (const listener of [...this.#listeners]) listener(entry);
  }
}
