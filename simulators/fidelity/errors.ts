import { BerthError } from '../../protocol/errors.js';

/** The raw client gave up waiting: `what` names the phase (head, body, stream, connect). */
export class RawClientTimeoutError extends BerthError {
  readonly code = 'ERR_FIDELITY_TIMEOUT';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`no complete ${what} within ${timeoutMs} ms`);
  }
}

/** The daemon closed the connection before the response was complete. */
export class RawClientClosedError extends BerthError {
  readonly code = 'ERR_FIDELITY_CLOSED';
  constructor(readonly what: string) {
    super(`connection closed before the ${what} was complete`);
  }
}

/** The daemon sent bytes that are not a valid HTTP/1.1 response (head or chunked framing). */
export class MalformedResponseError extends BerthError {
  readonly code = 'ERR_FIDELITY_MALFORMED_RESPONSE';
  constructor(detail: string, options?: ErrorOptions) {
    super(`malformed response: ${detail}`, options);
  }
}

/** A scenario step refers to a variable that an earlier step did not capture. */
export class MissingVariableError extends BerthError {
  readonly code = 'ERR_FIDELITY_MISSING_VARIABLE';
  constructor(readonly variable: string) {
    super(`variable {{${variable}}} was not captured by an earlier step`);
  }
}

/** A scenario is not well formed (duplicate step names, a release of nothing held, ...). */
export class InvalidScenarioError extends BerthError {
  readonly code = 'ERR_FIDELITY_INVALID_SCENARIO';
  constructor(
    readonly scenario: string,
    detail: string,
  ) {
    super(`scenario ${scenario}: ${detail}`);
  }
}
