import { Buffer } from 'node:buffer';
import { BerthError } from '../../protocol/errors.js';
import { ClauseViolationError } from './suite-errors.js';

/** Default deadline of a poll: generous, a loaded CI machine (load 6-14 on 2 cores) is slow. */
export const POLL_TIMEOUT_MS = 10_000;
/** Default pause between two checks. */
export const POLL_INTERVAL_MS = 20;

export interface PollOptions<T> {
  /** What is awaited, for the failure message: "the guest connection to close". */
  readonly description: string;
  /** How long to keep checking (default POLL_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Pause between two checks (default POLL_INTERVAL_MS). */
  readonly intervalMs?: number;
  /** Whether the value `check` returned is the one awaited (default: it is truthy). */
  readonly accept?: (value: T) => boolean;
  /**
   * What a timeout means: `error` (PollTimeoutError, the default: the harness or a unit test
   * waited in vain) or `violation` (ClauseViolationError: the target never did what the clause
   * awaits, so the clause fails rather than errors).
   */
  readonly failAs?: 'error' | 'violation';
  /** Stops the poll early (a test's signal); the poll then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A poll ran out of time; `lastSeen` shows what the last check returned or threw. */
export class PollTimeoutError extends BerthError {
  readonly code = 'ERR_POLL_TIMEOUT';
  constructor(
    readonly description: string,
    readonly timeoutMs: number,
    readonly lastSeen: string,
    options?: ErrorOptions,
  ) {
    super(pollTimeoutMessage(description, timeoutMs, lastSeen), options);
  }
}

function pollTimeoutMessage(description: string, timeoutMs: number, lastSeen: string): string {
  return `expected ${description} within ${timeoutMs} ms; last seen: ${lastSeen}`;
}

/** A short, readable form of whatever a check returned or threw. */
export function describeValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}${typeof code === 'string' ? ` ${code}` : ''}: ${value.message}`;
  }
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}…` : value);
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  try {
    const text = JSON.stringify(value);
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Settles after `ms`, or at once when `signal` aborts; its timer never outlives it. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Runs one check, giving up (without cancelling it) once `ms` have passed. */
async function checkWithin<T>(check: () => T | Promise<T>, ms: number): Promise<Outcome<T> | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), Math.max(ms, 0));
  });
  const run = (async (): Promise<Outcome<T>> => {
    try {
      return { ok: true, value: await check() };
    } catch (error) {
      return { ok: false, error };
    }
  })();
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks `check` now and then every `intervalMs` until what it returns is accepted (by default:
 * truthy), and resolves with that value. A check that throws counts as not yet, and what it threw
 * is the last value seen. After `timeoutMs` the poll fails naming `description` and the last value
 * seen. No timer is left behind, whichever way it ends (a check still running at the deadline is
 * abandoned, not awaited).
 *
 * ```ts
 * await eventually(() => guest.open() === 0, { description: 'every guest connection to close' });
 * const state = await eventually(() => engine.state(id), {
 *   description: 'the container to stop', accept: (state) => state.Running === false, failAs: 'violation',
 * });
 * ```
 */
export async function eventually<T>(check: () => T | Promise<T>, options: PollOptions<T>): Promise<T> {
  const timeoutMs = options.timeoutMs ?? POLL_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  const accept = options.accept ?? ((value: T): boolean => Boolean(value));
  const { signal } = options;
  const deadline = Date.now() + timeoutMs;
  let lastSeen = 'nothing (no check finished)';
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    const outcome = await checkWithin(check, deadline - Date.now());
    if (outcome !== 'late') {
      if (outcome.ok && accept(outcome.value)) return outcome.value;
      lastError = outcome.ok ? undefined : outcome.error;
      lastSeen = describeValue(outcome.ok ? outcome.value : outcome.error);
    }
    const left = deadline - Date.now();
    if (outcome === 'late' || left <= 0) {
      if (outcome === 'late') lastSeen = `${lastSeen} (the last check had not finished at the deadline)`;
      const cause = lastError === undefined ? {} : { cause: lastError };
      if (options.failAs === 'violation') {
        throw new ClauseViolationError(pollTimeoutMessage(options.description, timeoutMs, lastSeen), cause);
      }
      throw new PollTimeoutError(options.description, timeoutMs, lastSeen, cause);
    }
    await pause(Math.min(intervalMs, left), signal);
  }
}
