import type { ClauseId, Level } from '../../suite/clauses/catalogue.js';
import type { TranscriptEntry } from './results.js';

/** What a conformance test records about itself in vitest's task meta, for the reporters. */
export interface BerthTaskMeta {
  readonly clause: ClauseId;
  readonly level: Level;
  readonly target: string;
  /** Set when the target lacks what the clause needs: the test did not run (outcome `disabled`). */
  disabled?: string;
  /** Set when the target proved "unsupported" with an answer the contract allows (outcome `skip`). */
  skipped?: string;
  /** Set when the clause failed as the target's expectations ledger says it does (reason). */
  knownFailure?: string;
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
