import type { TestModule } from 'vitest/node';
import { closeTally, emptyTally, type ClosedTally } from './model/tally.js';

export { closingLine } from './model/tally.js';

/**
 * Counts test cases by state. Modules that failed without a failing test (a file that could not
 * be collected, a failing hook) and unhandled errors count as failures, so a broken run can never
 * close on "0 failed"; unit (non-clause) tests count like clause tests.
 */
export function countRun(modules: readonly TestModule[], unhandledErrors: readonly unknown[]): ClosedTally {
  const counts = emptyTally();
  for (const module of modules) {
    let failedHere = 0;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') counts.passed += 1;
      else if (state === 'failed') failedHere += 1;
      else counts.skipped += 1;
      if (state === 'passed' && test.meta().berth?.knownFailure !== undefined) counts.knownFailures += 1;
    }
    if (failedHere === 0 && module.state() === 'failed') failedHere = 1;
    counts.failed += failedHere;
  }
  counts.failed += unhandledErrors.length;
  return closeTally(counts);
}
