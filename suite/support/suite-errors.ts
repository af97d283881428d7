import { BerthError } from '../../protocol/errors.js';

/** The code of a clause violation: suite/harness/clause.ts makes a test that throws it `fail`. */
export const CLAUSE_VIOLATION = 'ERR_CLAUSE_VIOLATION';

/** A clause helper detected that the target broke a clause (outcome `fail`, like a failed expect). */
export class ClauseViolationError extends BerthError {
  readonly code = CLAUSE_VIOLATION;
}

/** The clause body ran to the end without asserting anything (outcome `error`). */
export class NoAssertionsError extends BerthError {
  readonly code = 'ERR_SUITE_NO_ASSERTIONS';
  constructor(readonly title: string) {
    super(`'${title}' made no assertion: a clause that checks nothing cannot pass`);
  }
}

/** The expectations ledger says this test fails, but it passed (outcome `error`: the ledger rotted). */
export class UnexpectedPassError extends BerthError {
  readonly code = 'ERR_SUITE_UNEXPECTED_PASS';
  constructor(
    readonly title: string,
    readonly reason: string,
  ) {
    super(
      `'${title}' passed, but the expectations ledger lists it as a known failure ("${reason}"); remove the entry`,
    );
  }
}

/** A target was asked for by a name the suite does not know. */
export class UnknownTargetError extends BerthError {
  readonly code = 'ERR_SUITE_UNKNOWN_TARGET';
  constructor(
    readonly target: string,
    readonly known: readonly string[],
  ) {
    super(`unknown target '${target}' (known: ${known.join(', ')})`);
  }
}

/** An expectations file given by the user is unreadable or malformed. */
export class InvalidExpectationsError extends BerthError {
  readonly code = 'ERR_SUITE_INVALID_EXPECTATIONS';
}

/** True for errors that mean "the target broke the clause" rather than "the harness broke". */
export function isClauseViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'AssertionError' || code === CLAUSE_VIOLATION;
}

/** The target could not be reached or started before the run (no daemon, a command that failed). */
export class TargetUnavailableError extends BerthError {
  readonly code = 'ERR_SUITE_TARGET_UNAVAILABLE';
}

/**
 * An HTTP request the suite sent got no (whole) answer: no head within the deadline, the
 * connection ended before a head, or the body was not complete within the deadline. Not a
 * violation by itself: the helper that sent the request decides what it means.
 */
export class NoAnswerError extends BerthError {
  readonly code = 'ERR_SUITE_NO_ANSWER';
  constructor(
    readonly request: string,
    readonly reason: 'timeout' | 'closed' | 'incomplete',
    readonly timeoutMs: number,
    readonly received: string,
  ) {
    const got = `received ${JSON.stringify(received.slice(0, 200))}`;
    super(
      reason === 'timeout'
        ? `no answer within ${timeoutMs} ms to ${request}; ${got}`
        : reason === 'closed'
          ? `the connection closed before an answer head to ${request}; ${got}`
          : `the answer to ${request} was not complete within ${timeoutMs} ms; ${got}`,
    );
  }
}
