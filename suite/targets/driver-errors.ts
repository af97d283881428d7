import type { JsonObject } from '../../protocol/driver/driver-protocol.js';
import { BerthError } from '../../protocol/errors.js';

/** The tail of a driver's stderr, for error messages (empty when there is none). */
export function withStderr(message: string, stderrTail: string): string {
  const tail = stderrTail.trimEnd();
  return tail === '' ? message : `${message}; driver stderr (tail):\n${tail}`;
}

/** How much of an offending line an error message shows. */
const SHOWN_CHARS = 200;

function quoteLine(line: string): string {
  const shown = line.length <= SHOWN_CHARS ? line : `${line.slice(0, SHOWN_CHARS)}… (${line.length} chars)`;
  return JSON.stringify(shown);
}

// §12: what berth reports about a driver (never sent on the wire).

/** The driver did not answer a request within its deadline. */
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

/** A line that is not a valid message, or an answer to no waiting request; `line` is the offending text. */
export class DriverMalformedLineError extends BerthError {
  readonly code = 'ERR_DRIVER_MALFORMED_LINE';
  constructor(
    readonly line: string,
    readonly problem: string,
    readonly stderrTail = '',
    options?: ErrorOptions,
  ) {
    super(withStderr(`malformed protocol line (${problem}): ${quoteLine(line)}`, stderrTail), options);
  }
}

/** A line over the cap (§2: 16 MiB, counted in bytes without the line ending). */
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

/** The connection is closed: the driver closed its stdout, the suite closed it, or a failure broke it. */
export class DriverClosedError extends BerthError {
  readonly code = 'ERR_DRIVER_CLOSED';
  constructor(message: string, stderrTail = '', options?: ErrorOptions) {
    super(withStderr(message, stderrTail), options);
  }
}

/** `/bin/sh` could not be started. */
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

/** A well-formed answer of the wrong shape (a hello without a name, a bad `$bytes`, ...). */
export class DriverBadAnswerError extends BerthError {
  readonly code = 'ERR_DRIVER_BAD_ANSWER';
}

// §11: protocol errors the suite answers a driver's request with; `details` travel with them.

/** A callback whose `args` miss a field or hold a value of the wrong type, slot or method. */
export class DriverBadRequestError extends BerthError {
  readonly code = 'ERR_DRIVER_BAD_REQUEST';
  readonly details: JsonObject = {};
}

/** A callback naming an operation the suite does not serve. */
export class DriverUnknownOpError extends BerthError {
  readonly code = 'ERR_DRIVER_UNKNOWN_OP';
  readonly details: JsonObject;
  constructor(readonly op: string) {
    super(`the suite serves no operation '${op}'`);
    this.details = { op };
  }
}

/** A callback naming a composite the suite holds no runtimes for. */
export class DriverUnknownHandleError extends BerthError {
  readonly code = 'ERR_DRIVER_UNKNOWN_HANDLE';
  readonly details: JsonObject;
  constructor(readonly handle: string) {
    super(`the suite holds no composite '${handle}'`);
    this.details = { handle };
  }
}

/** A `stream.next` for a stream the suite does not hold (never handed out, ended or cancelled). */
export class DriverUnknownStreamError extends BerthError {
  readonly code = 'ERR_DRIVER_UNKNOWN_STREAM';
  readonly details: JsonObject;
  constructor(readonly stream: string) {
    super(`the suite holds no stream '${stream}'`);
    this.details = { stream };
  }
}

/**
 * An error answer from the driver whose code names no runtime error (§11): a protocol error
 * (`ERR_DRIVER_UNKNOWN_HANDLE`, ...) or a code of the driver's own, kept as the error's code so
 * clauses check it like any other.
 */
export class DriverAnsweredError extends BerthError {
  readonly code: string;
  constructor(
    code: string,
    message: string,
    readonly details: JsonObject,
  ) {
    super(message);
    this.code = code;
  }
}
