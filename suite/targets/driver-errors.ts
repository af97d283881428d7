import { BerthError } from '../../protocol/errors.js';

/** The tail of a driver's stderr, for error messages (empty when there is none). */
export function withStderr(message: string, stderrTail: string): string {
  const tail = stderrTail.trimEnd();
  return tail === '' ? message : `${message}; driver stderr (tail):\n${tail}`;
}

/** The peer did not answer a request within its deadline. */
export class DriverTimeoutError extends BerthError {
  readonly code = 'ERR_DRIVER_TIMEOUT';
  constructor(
    readonly op: string,
    readonly requestId: number,
    readonly timeoutMs: number,
    readonly stderrTail = '',
  ) {
    super(withStderr(`no answer to ${op} (request ${requestId}) within ${timeoutMs} ms`, stderrTail));
  }
}

/** The driver process exited (or was killed): every call still waiting fails with this. */
export class DriverExitedError extends BerthError {
  readonly code = 'ERR_DRIVER_EXITED';
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly stderrTail = '',
  ) {
    super(
      withStderr(
        `the driver exited ${signal === null ? `with code ${String(exitCode)}` : `on ${signal}`}`,
        stderrTail,
      ),
    );
  }
}

/** The driver process could not be started. */
export class DriverSpawnError extends BerthError {
  readonly code = 'ERR_DRIVER_SPAWN';
  constructor(
    readonly command: string,
    options?: ErrorOptions,
  ) {
    super(
      `cannot start the driver '${command}': ${String((options?.cause as Error | undefined)?.message)}`,
      options,
    );
  }
}

/** The connection is closed: the input ended, the suite disposed it, or an earlier failure broke it. */
export class DriverClosedError extends BerthError {
  readonly code = 'ERR_DRIVER_CLOSED';
  constructor(message: string, stderrTail = '', options?: ErrorOptions) {
    super(withStderr(message, stderrTail), options);
  }
}

/** A line longer than the cap: the peer is broken or sends far more than the protocol allows. */
export class DriverLineTooLongError extends BerthError {
  readonly code = 'ERR_DRIVER_LINE_TOO_LONG';
  constructor(
    readonly limit: number,
    readonly head: string,
    readonly stderrTail = '',
  ) {
    super(
      withStderr(
        `a protocol line exceeded ${limit} characters (it starts ${JSON.stringify(head)})`,
        stderrTail,
      ),
    );
  }
}
