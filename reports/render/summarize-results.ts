import type { Level } from '../../suite/clauses/catalogue.js';
import { worstOutcome, type Outcome } from '../model/outcome.js';
import type { ClauseResult, ResultsFile, TestResult } from '../model/results.js';

/**
 * How a report shows a clause or a test: its outcome, except that a failure listed in the
 * target's expectations ledger (`expected: true`) is a known failure rather than a failure.
 */
export type ReportStatus = 'pass' | 'known-failure' | 'fail' | 'error' | 'skip' | 'disabled';

export const REPORT_STATUSES: readonly ReportStatus[] = [
  'pass',
  'known-failure',
  'fail',
  'error',
  'skip',
  'disabled',
];

export const LEVELS: readonly Level[] = ['MUST', 'SHOULD', 'MAY'];

export function reportStatus(result: Pick<ClauseResult | TestResult, 'outcome' | 'expected'>): ReportStatus {
  return result.outcome === 'fail' && result.expected === true ? 'known-failure' : result.outcome;
}

/** True for clauses that reached a verdict (pass, fail, known failure or error). */
export function hasVerdict(status: ReportStatus): boolean {
  return status !== 'skip' && status !== 'disabled';
}

export type StatusCounts = Record<ReportStatus, number>;

export interface Tally extends StatusCounts {
  readonly clauses: number;
  readonly byLevel: Readonly<Record<Level, StatusCounts>>;
}

export interface ComponentSummary {
  readonly component: string;
  readonly clauses: readonly ClauseResult[];
  readonly tally: Tally;
  /** The worst clause outcome, known failures counted as passes (as for the run's outcome). */
  readonly outcome: Outcome;
}

export interface ResultsSummary {
  /** Components in the order their first clause appears in the file (catalogue order). */
  readonly components: readonly ComponentSummary[];
  readonly overall: Tally;
  /** Tests naming no clause and errors outside any test: each one makes the run fail. */
  readonly orphanErrors: number;
}

function zero(): StatusCounts {
  return { pass: 0, 'known-failure': 0, fail: 0, error: 0, skip: 0, disabled: 0 };
}

export function tallyClauses(clauses: readonly ClauseResult[]): Tally {
  const totals = zero();
  const byLevel: Record<Level, StatusCounts> = { MUST: zero(), SHOULD: zero(), MAY: zero() };
  for (const clause of clauses) {
    const status = reportStatus(clause);
    totals[status] += 1;
    byLevel[clause.level][status] += 1;
  }
  return { ...totals, clauses: clauses.length, byLevel };
}

function componentOutcome(clauses: readonly ClauseResult[]): Outcome {
  return worstOutcome(
    clauses.map((clause) => (reportStatus(clause) === 'known-failure' ? 'pass' : clause.outcome)),
  );
}

/** Groups the clauses by component and counts them, per component and overall. */
export function summarizeResults(results: ResultsFile): ResultsSummary {
  const byComponent = new Map<string, ClauseResult[]>();
  for (const clause of results.clauses) {
    const list = byComponent.get(clause.component);
    if (list === undefined) byComponent.set(clause.component, [clause]);
    else list.push(clause);
  }
  return {
    components: [...byComponent].map(([component, clauses]) => ({
      component,
      clauses,
      tally: tallyClauses(clauses),
      outcome: componentOutcome(clauses),
    })),
    overall: tallyClauses(results.clauses),
    orphanErrors: results.orphans.filter((orphan) => orphan.outcome === 'error').length,
  };
}
