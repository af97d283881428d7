import { isFailingVerdict, type VerdictKind } from './verdict.js';

/**
 * Test counts, as the closing line states them. Every place that counts tests (the summary
 * reporter from vitest's tasks, the progress reporter per file, `berth run` from results.json)
 * fills one of these and closes it with `closeTally`, so the rules below are written once.
 */
export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  /** Passing tests that stand for a known failure recorded in a target's expectations ledger. */
  knownFailures: number;
}

export interface ClosedTally extends Readonly<Tally> {
  /** True when no test passed or failed: a run that checked nothing, itself counted as a failure. */
  readonly checkedNothing: boolean;
}

export function emptyTally(): Tally {
  return { passed: 0, failed: 0, skipped: 0, knownFailures: 0 };
}

/**
 * Counts one test by its verdict: a pass, or a known failure of the ledger, is passed; a fail or
 * error is failed; skip and disabled are skipped.
 */
export function countVerdict(tally: Tally, kind: VerdictKind): void {
  if (kind === 'pass' || kind === 'known-failure') {
    tally.passed += 1;
    if (kind === 'known-failure') tally.knownFailures += 1;
  } else if (isFailingVerdict(kind)) tally.failed += 1;
  else tally.skipped += 1;
}

/** The run's final counts: a run that checked nothing fails (one failure, `checkedNothing`). */
export function closeTally(tally: Readonly<Tally>): ClosedTally {
  const checkedNothing = tally.passed === 0 && tally.failed === 0;
  return { ...tally, failed: checkedNothing ? 1 : tally.failed, checkedNothing };
}

/** The plain closing line every run ends with: `N passed, N failed, N skipped`. */
export function closingLine(tally: Readonly<Tally>): string {
  return `${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`;
}
