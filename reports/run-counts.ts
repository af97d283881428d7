import type { TestModule } from 'vitest/node';

export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Passing tests that stand for a known failure recorded in a target's expectations ledger. */
  knownFailures: number;
  /** True when no test passed or failed: a run that checked nothing, itself counted as a failure. */
  checkedNothing: boolean;
}

/**
 * Counts test cases by state. Modules that failed without a failing test (a file that could not
 * be collected, a failing hook) and unhandled errors count as failures, so a broken run can never
 * close on "0 failed".
 */
export function countRun(modules: readonly TestModule[], unhandledErrors: readonly unknown[]): RunCounts {
  const counts: RunCounts = { passed: 0, failed: 0, skipped: 0, knownFailures: 0, checkedNothing: false };
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
  if (counts.passed === 0 && counts.failed === 0) {
    counts.checkedNothing = true;
    counts.failed = 1;
  }
  return counts;
}

export function closingLine(counts: RunCounts): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}
