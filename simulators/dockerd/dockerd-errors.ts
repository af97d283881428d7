import { BerthError } from '../../protocol/errors.js';

/**
 * DKR-3: an error the simulated dockerd answers with. Each class stands for one errdefs class of
 * moby and carries the HTTP status that class maps to; `message` is the exact text dockerd sends.
 */
export abstract class DockerdError extends BerthError {
  abstract readonly status: number;
}

/** errdefs.NotFound → 404. */
export class DockerdNotFoundError extends DockerdError {
  readonly code = 'ERR_DOCKERD_NOT_FOUND';
  readonly status = 404;
}

/** errdefs.InvalidParameter → 400. */
export class DockerdInvalidParameterError extends DockerdError {
  readonly code = 'ERR_DOCKERD_INVALID_PARAMETER';
  readonly status = 400;
}

/** errdefs.Conflict → 409. */
export class DockerdConflictError extends DockerdError {
  readonly code = 'ERR_DOCKERD_CONFLICT';
  readonly status = 409;
}

/** errdefs.NotModified → 304, sent with no body. */
export class DockerdNotModifiedError extends DockerdError {
  readonly code = 'ERR_DOCKERD_NOT_MODIFIED';
  readonly status = 304;
}

/** An error of no errdefs class (plain `fmt.Errorf` in moby) → 500. */
export class DockerdSystemError extends DockerdError {
  readonly code = 'ERR_DOCKERD_SYSTEM';
  readonly status = 500;
}

/** The simulator was used wrongly (bad option, closed simulator): never sent on the wire. */
export class SimulatorUsageError extends BerthError {
  readonly code = 'ERR_DOCKERD_SIM_USAGE';
}

/** DKR-3: the status for any error; an unknown error is a 500. */
export function statusOf(error: unknown): number {
  return error instanceof DockerdError ? error.status : 500;
}
