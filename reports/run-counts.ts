import type { TestModule } from 'vitest/node';
import { closeTally, countVerdict, emptyTally, type ClosedTally } from './model/tally.js';
import { verdictOfTest } from './model/verdict.js';

export { closingLine } from './model/tally.js';

/**
 * Counts test cases by verdict (a test that never finished is a failure). Modules that failed without a failing test (a file that could not
 * be collected, a failing hook) and unhandled errors count as failures, so a broken run can never
 * close on "0 failed"; unit (non-clause) tests count like clause tests.
 */
export function countRun(modules: readonly TestModule[], unhandledErrors: readonly unknown[]): ClosedTally {
  const counts = emptyTally();
  for (const module of modules) {
    const failedBefore = counts.failed;
    for (const test of module.children.allTests()) {
      countVerdict(counts, verdictOfTest({ state: test.result().state, meta: test.meta().berth }).kind);
    }
    if (counts.failed === failedBefore && module.state() === 'failed') counts.failed += 1;
  }
  counts.failed += unhandledErrors.length;
  return closeTally(counts);
}
