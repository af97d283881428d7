import type { ClauseId, Level } from '../suite/clauses/catalogue.js';
import type { Outcome } from '../suite/support/outcome.js';

/** results.json is the source of truth; every other report renders from it. */
export const RESULTS_SCHEMA = 'berth.results/1';

export interface TestFailure {
  readonly name: string;
  readonly message: string;
  readonly diff?: string;
  readonly stack?: string;
}

export interface TestResult {
  readonly title: string;
  readonly file: string;
  readonly outcome: Outcome;
  readonly durationMs: number;
  /** For skip/disabled: why; for a known failure: the ledger's reason. */
  readonly reason?: string;
  /** True when the failure is listed in the target's expectations ledger. */
  readonly expected?: boolean;
  readonly failure?: TestFailure;
}

export interface ClauseResult {
  readonly id: ClauseId;
  readonly level: Level;
  readonly text: string;
  readonly source: { readonly document: string; readonly section: string };
  readonly outcome: Outcome;
  readonly expected: boolean;
  /** Why a clause without tests did not run (pending in the catalogue, or not selected). */
  readonly reason?: string;
  readonly tests: readonly TestResult[];
}

export interface ResultsFile {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly target: { readonly name: string };
  readonly seed: number;
  readonly startedAt: string;
  readonly durationMs: number;
  /** The worst clause outcome, known failures not counted. */
  readonly outcome: Outcome;
  readonly counts: Readonly<Record<Outcome, number>>;
  readonly knownFailures: number;
  readonly clauses: readonly ClauseResult[];
  /** Tests that name no catalogue clause, and errors outside any test. */
  readonly orphans: readonly TestResult[];
}
