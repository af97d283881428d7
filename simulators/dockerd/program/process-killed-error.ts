import { BerthError } from '../../../protocol/errors.js';

/** Raised inside a simulated process when a signal kills it; the exit status is 128 + signal. */
export class ProcessKilledError extends BerthError {
  readonly code = 'ERR_DOCKERD_PROCESS_KILLED';
  constructor(readonly signal: number) {
    super(`process killed by signal ${signal}`);
  }
}

/** Throws the reason of an aborted signal (a ProcessKilledError) if it is aborted. */
export function throwIfKilled(signal: AbortSignal): void {
  if (signal.aborted) throw killedReason(signal);
}

export function killedReason(signal: AbortSignal): ProcessKilledError {
  const reason: unknown = signal.reason;
  return reason instanceof ProcessKilledError ? reason : new ProcessKilledError(9);
}
