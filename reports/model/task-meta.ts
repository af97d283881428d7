import type { ClauseId, Level } from '../../suite/clauses/catalogue.js';
import type { TranscriptEntry } from './results.js';
import type { RecordedVerdict } from './verdict.js';

/** What a conformance test records about itself in vitest's task meta, for the reporters. */
export interface BerthTaskMeta {
  readonly clause: ClauseId;
  readonly level: Level;
  readonly target: string;
  /**
   * The verdict the harness decided (reports/model/verdict.ts): `disabled` when the target lacks
   * what the clause needs, `skip` when it proved "unsupported" with an answer the contract allows,
   * `known-failure` with the ledger's reason, `fail`/`error` with the code of what was thrown.
   * Absent for a test that passed normally.
   */
  verdict?: RecordedVerdict;
  /** Assertions the test made; zero is a harness error. */
  assertions?: number;
  /** For a failed test: what was sent to the target and what came back (redacted). */
  transcript?: TranscriptEntry[];
}

declare module 'vitest' {
  interface TaskMeta {
    berth?: BerthTaskMeta;
  }
}

const CLAUSE_IN_TITLE = /^\[([A-Z]+-\d+)\] /;

/** The clause id a test's title starts with (`[HND-7] MUST ...` → `HND-7`), if any. */
export function clauseOfTitle(title: string): string | undefined {
  return CLAUSE_IN_TITLE.exec(title)?.[1];
}

/**
 * Whether a test of clause `id` (undefined: the test names none) is part of a run whose `--clause`
 * selection is `clauses`: every test is when the selection is empty; otherwise only the tests of
 * a selected clause (vitest filters the others out by name: not run, so not "skipped" either).
 */
export function isClauseSelected(clauses: readonly string[], id: string | undefined): boolean {
  return clauses.length === 0 || (id !== undefined && clauses.includes(id));
}
