import type { Level } from '../../suite/clauses/catalogue.js';
import type { Outcome } from './outcome.js';

/**
 * results.json is the source of truth; every other report renders from it. The schema is
 * documented in docs/results-schema.md; the version changes whenever a field changes meaning or
 * goes away (adding an optional field does not).
 */
export const RESULTS_SCHEMA = 'berth.results/2';

/** One exchange with the target, as text (HTTP heads and bodies, driver lines, method calls). */
export interface TranscriptEntry {
  /** Who answered: `proxy`, `daemon`, `guest native`, `driver`, `registry`, ... */
  readonly peer: string;
  readonly sent: string;
  /** What came back, or `(error) ...` when nothing did. */
  readonly received: string;
}

export interface TestFailure {
  readonly name: string;
  /**
   * The stable code of the verdict (reports/model/verdict.ts): `ERR_ASSERTION_FAILED` for a failed
   * `expect`, `ERR_CLAUSE_VIOLATION` for a clause helper's violation, else the thrown error's code.
   */
  readonly code?: string;
  readonly message: string;
  readonly diff?: string;
  readonly stack?: string;
  /** What the test sent to the target and what came back, redacted (absent when nothing was recorded). */
  readonly transcript?: readonly TranscriptEntry[];
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
  /** `PREFIX-N`: a clause of the catalogue of the berth that wrote the file (a newer one may have more). */
  readonly id: string;
  readonly component: string;
  readonly level: Level;
  readonly text: string;
  readonly source: { readonly document: string; readonly section: string };
  readonly outcome: Outcome;
  /** Sum of its tests' durations (0 when none ran). */
  readonly durationMs: number;
  readonly expected: boolean;
  /** Why a clause without tests did not run (pending in the catalogue, or not selected). */
  readonly reason?: string;
  readonly tests: readonly TestResult[];
}

/** What was under test, and what the probe before the run found. */
export interface TargetInfo {
  readonly name: string;
  /** One line: what is under test and how it is reached. */
  readonly description: string;
  /** The options the target ran with (docker host, command line), credentials redacted. */
  readonly options: Readonly<Record<string, string>>;
  /** Facts the probe gathered (daemon version and API, driver name, ...). */
  readonly probe: Readonly<Record<string, unknown>>;
}

/** Which part of the catalogue the run selected. */
export interface Selection {
  readonly profile: 'quick' | 'core' | 'full';
  /** Areas given with --area (empty: all). */
  readonly areas: readonly string[];
  /** Clauses given with --clause (empty: all). */
  readonly clauses: readonly string[];
}

export interface ResultsFile {
  readonly schema: typeof RESULTS_SCHEMA;
  /** The berth version that produced the file. */
  readonly tool: { readonly name: 'berth'; readonly version: string };
  readonly target: TargetInfo;
  readonly selection: Selection;
  /** The expectations file given with --expect, if any (its entries are in the ledger). */
  readonly expectationsFile?: string;
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
