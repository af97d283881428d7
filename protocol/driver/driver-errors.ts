import { BerthError } from '../errors.js';

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
      withStderr(`a protocol line exceeded ${limit} bytes (it starts ${JSON.stringify(head)})`, stderrTail),
    );
  }
}
