import type { Readable } from 'node:stream';

/**
 * Watches a readable stream: records how it ended ('end', 'error', 'close'), hands every chunk
 * to the subclass, and lets callers await a condition on what was seen without sleeping. Test
 * helpers on both sides of the import rules build on it (simulators/vsock `StreamReader`, the
 * bridge specs' `Received`, the fault specs' `FaultClient`); each keeps the data its own way
 * and names its own timeout error.
 */
export abstract class StreamObserver {
  ended = false;
  error: (Error & { code?: string }) | undefined;
  closed = false;
  readonly #waiters = new Set<() => void>();

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      this.onChunk(chunk);
      this.#wake();
    });
    stream.on('end', () => {
      this.ended = true;
      this.#wake();
    });
    stream.on('error', (error: Error) => {
      this.error = error;
      this.#wake();
    });
    stream.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  /** Keeps one chunk the stream delivered (called before waiters are woken). */
  protected abstract onChunk(chunk: Buffer): void;

  /**
   * Resolves once `condition` holds (checked now and after every stream event); after
   * `timeoutMs` rejects with what `timeoutError` builds at that moment.
   */
  protected waitFor(
    condition: (observer: this) => boolean,
    timeoutMs: number,
    timeoutError: () => Error,
  ): Promise<void> {
    if (condition(this)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!condition(this)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(timeoutError());
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
