import { killedReason } from './process-killed-error.js';

/**
 * Processes parked until something changes (stdin got data, the container was unpaused): each
 * `wait()` resolves at the next `wakeAll()`, or rejects with the kill reason once its signal
 * aborts (the process was killed while it waited).
 */
export class WakeSet {
  readonly #waiters = new Set<() => void>();

  /** Wakes every process waiting now. */
  wakeAll(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next wakeAll(); rejects with ProcessKilledError when `signal` is (or gets) aborted. */
  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(killedReason(signal));
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#waiters.delete(wake);
        reject(killedReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(wake);
    });
  }
}
