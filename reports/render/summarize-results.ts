import type { Level } from '../../suite/clauses/catalogue.js';
import type { Outcome } from '../model/outcome.js';
import type { ClauseResult, ResultsFile } from '../model/results.js';
import { groupByComponent, rollUpComponent, tallyClauses, type ClauseTally } from '../model/roll-up.js';
import { verdictKindOf } from '../model/verdict.js';

export const LEVELS: readonly Level[] = ['MUST', 'SHOULD', 'MAY'];

export interface ComponentSummary {
  readonly component: string;
  readonly clauses: readonly ClauseResult[];
  readonly tally: ClauseTally;
  /** The worst clause outcome, known failures counted as passes (as for the run's outcome). */
  readonly outcome: Outcome;
}

export interface ResultsSummary {
  /** Components in the order their first clause appears in the file (catalogue order). */
  readonly components: readonly ComponentSummary[];
  readonly overall: ClauseTally;
  /** Tests naming no clause and errors outside any test: each one makes the run fail. */
  readonly orphanErrors: number;
}

/** Groups the clauses by component and counts them, per component and overall. */
export function summarizeResults(results: ResultsFile): ResultsSummary {
  return {
    components: [...groupByComponent(results.clauses)].map(([component, clauses]) => ({
      component,
      clauses,
      tally: tallyClauses(clauses),
      outcome: rollUpComponent(clauses),
    })),
    overall: tallyClauses(results.clauses),
    orphanErrors: results.orphans.filter((orphan) => verdictKindOf(orphan) === 'error').length,
  };
}
