import type { PauseGate } from '../program/process-context.js';
import { WakeSet } from '../program/wake-set.js';

/** The freezer cgroup of a container: processes wait at their next checkpoint while paused. */
export class FreezerGate implements PauseGate {
  #paused = false;
  readonly #waiters = new WakeSet();

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#waiters.wakeAll();
  }

  whenRunning(signal: AbortSignal): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return this.#waiters.wait(signal);
  }
}
