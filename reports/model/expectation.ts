import type { ClauseId } from '../../suite/clauses/catalogue.js';

/**
 * One known failure of a target: the test (every test of `clause`, or the ones whose title
 * contains `title`) is expected to fail for `reason`. A listed test that passes fails the run.
 */
export interface Expectation {
  readonly clause: ClauseId;
  readonly title?: string;
  readonly reason: string;
}
