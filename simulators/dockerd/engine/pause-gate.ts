import type { PauseGate } from '../program/process-context.js';
import { killedReason } from '../program/process-killed-error.js';

/** The freezer cgroup of a container: processes wait at their next checkpoint while paused. */
export class FreezerGate implements PauseGate {
  #paused = false;
  readonly #waiters = new Set<() => void>();

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  whenRunning(signal: AbortSignal): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#waiters.delete(wake);
        reject(killedReason(signal));
      };
      if (signal.aborted) {
        reject(killedReason(signal));
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(wake);
    });
  }
}
