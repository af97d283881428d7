/**
 * Event waits for state a test helper owns (a guest's open connections, a fault applied): the
 * owner calls `notify()` whenever the state changes, and waiters re-check their condition then,
 * instead of polling on a timer.
 */
export interface ChangeSignal {
  /** Wakes every waiter to re-check its condition. */
  notify(): void;
  /**
   * Resolves once `condition` holds (checked now and at every notify); after `timeoutMs` rejects
   * with what `timeoutError` builds at that moment. Its timer is cleared either way.
   */
  until(condition: () => boolean, timeoutMs: number, timeoutError: () => Error): Promise<void>;
  /** Waiters still waiting (0 after each test: nothing waits forever). */
  readonly waiting: number;
}

export function createChangeSignal(): ChangeSignal {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const waiter of [...waiters]) waiter();
    },
    until(condition, timeoutMs, timeoutError) {
      if (condition()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!condition()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(timeoutError());
        }, timeoutMs);
        waiters.add(check);
      });
    },
    get waiting() {
      return waiters.size;
    },
  };
}
