import type { Level } from '../../suite/clauses/catalogue.js';
import { OUTCOMES, worstOutcome, type Outcome } from './outcome.js';
import type { ClauseResult, ResultsFile, TestResult } from './results.js';
import { closeTally, countVerdict, emptyTally, type ClosedTally } from './tally.js';
import { isFailingVerdict, verdictKindOf, VERDICT_KINDS, type VerdictKind } from './verdict.js';

/**
 * The roll-up of verdicts: test → clause → component → run. Every reporter, `berth run`'s summary
 * and every renderer count and classify through these; nothing else does.
 */

/** The outcome a verdict counts as in a roll-up: a known failure of the ledger counts as a pass. */
function countedOutcome(kind: VerdictKind): Outcome {
  return kind === 'known-failure' ? 'pass' : kind;
}

/**
 * A clause's outcome from its tests (at least one): the worst outcome of the tests that are not
 * known failures; a clause whose tests are all known failures, or that passed otherwise with a
 * known failure among them, is a known failure (`fail` with `expected`). An unexpected pass is
 * already its test's `error` (the harness decides it: suite/harness/clause.ts).
 */
export function rollUpClause(tests: readonly TestResult[]): { outcome: Outcome; expected: boolean } {
  const kinds = tests.map(verdictKindOf);
  const expected = kinds.includes('known-failure');
  const counted = kinds.filter((kind): kind is Outcome => kind !== 'known-failure');
  const outcome = counted.length > 0 ? worstOutcome(counted) : 'fail';
  return { outcome: expected && outcome === 'pass' ? 'fail' : outcome, expected };
}

/** How many clauses have each outcome (results.json `counts`; known failures are `fail`). */
export function countClauseOutcomes(
  clauses: readonly Pick<ClauseResult, 'outcome'>[],
): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>;
  for (const clause of clauses) counts[clause.outcome] += 1;
  return counts;
}

/** How many clauses are known failures of the ledger (results.json `knownFailures`). */
export function countKnownFailures(clauses: readonly Pick<ClauseResult, 'outcome' | 'expected'>[]): number {
  return clauses.filter((clause) => clause.expected).length;
}

/**
 * Test counts of a run's clauses and orphans, as the closing line states them; a run that
 * checked nothing fails (closeTally). Orphans always count as failures.
 */
export function tallyTests(
  clauses: readonly Pick<ClauseResult, 'tests'>[],
  orphans: readonly TestResult[],
): ClosedTally {
  const tally = emptyTally();
  for (const clause of clauses) for (const test of clause.tests) countVerdict(tally, verdictKindOf(test));
  tally.failed += orphans.length;
  return closeTally(tally);
}

/** Test counts of a results file (see tallyTests). */
export function tallyResults(results: Pick<ResultsFile, 'clauses' | 'orphans'>): ClosedTally {
  return tallyTests(results.clauses, results.orphans);
}

/**
 * The run's outcome: the worst failing clause or orphan (known failures do not count); with none
 * failing, `pass`, unless the run checked nothing (`error`).
 */
export function rollUpRun(
  clauses: readonly Pick<ClauseResult, 'outcome' | 'expected' | 'tests'>[],
  orphans: readonly TestResult[],
): Outcome {
  const failing = [...clauses, ...orphans].map(verdictKindOf).filter(isFailingVerdict).map(countedOutcome);
  if (failing.length > 0) return worstOutcome(failing);
  return tallyTests(clauses, []).checkedNothing ? 'error' : 'pass';
}

/** True when a clause (or test) of results.json makes the run fail. */
export function isFailingResult(result: { readonly outcome: Outcome; readonly expected?: boolean }): boolean {
  return isFailingVerdict(verdictKindOf(result));
}

export type VerdictCounts = Record<VerdictKind, number>;

export interface ClauseTally extends VerdictCounts {
  readonly clauses: number;
  readonly byLevel: Readonly<Record<Level, VerdictCounts>>;
}

function zero(): VerdictCounts {
  return Object.fromEntries(VERDICT_KINDS.map((kind) => [kind, 0])) as VerdictCounts;
}

/** Clauses counted by verdict, overall and per level. */
export function tallyClauses(clauses: readonly ClauseResult[]): ClauseTally {
  const totals = zero();
  const byLevel: Record<Level, VerdictCounts> = { MUST: zero(), SHOULD: zero(), MAY: zero() };
  for (const clause of clauses) {
    const kind = verdictKindOf(clause);
    totals[kind] += 1;
    byLevel[clause.level][kind] += 1;
  }
  return { ...totals, clauses: clauses.length, byLevel };
}

/** A component's outcome: the worst of its clauses', known failures counted as passes. */
export function rollUpComponent(clauses: readonly Pick<ClauseResult, 'outcome' | 'expected'>[]): Outcome {
  return worstOutcome(clauses.map((clause) => countedOutcome(verdictKindOf(clause))));
}

/** The clauses grouped by component, in the order each component's first clause appears. */
export function groupByComponent<C extends Pick<ClauseResult, 'component'>>(
  clauses: readonly C[],
): Map<string, C[]> {
  const byComponent = new Map<string, C[]>();
  for (const clause of clauses) {
    const list = byComponent.get(clause.component);
    if (list === undefined) byComponent.set(clause.component, [clause]);
    else list.push(clause);
  }
  return byComponent;
}
