import type { Outcome } from './outcome.js';
import type { BerthTaskMeta } from './task-meta.js';
import type { TestFailure, TestResult, TranscriptEntry } from './results.js';

/**
 * A test's verdict. A known failure (a failure the target's expectations ledger lists) is its own
 * case, spelled `known-failure` everywhere: in the task meta the harness records, in the reports,
 * and (through `encodeVerdict`/`verdictKindOf`, the one mapping) in results.json, whose schema
 * writes it as `outcome: 'fail', expected: true`.
 */
export const VERDICT_KINDS = ['pass', 'known-failure', 'fail', 'error', 'skip', 'disabled'] as const;
export type VerdictKind = (typeof VERDICT_KINDS)[number];

/** The code of a failed assertion of vitest's `expect` (chai's AssertionError carries none). */
export const ASSERTION_FAILED = 'ERR_ASSERTION_FAILED';
/** The code of a thrown value that carries no string `code` of its own. */
export const UNCODED_ERROR = 'ERR_UNCODED';
/** The code of a failed test the harness recorded no verdict for (a unit test, a timeout). */
export const UNCLASSIFIED_FAILURE = 'ERR_UNCLASSIFIED_FAILURE';
/** The code of a test that never finished (the run ended while it was pending). */
export const NEVER_FINISHED = 'ERR_TEST_NEVER_FINISHED';

export type Verdict =
  | { readonly kind: 'pass' }
  | {
      readonly kind: 'known-failure';
      /** The ledger's reason. */
      readonly reason: string;
      readonly transcript?: readonly TranscriptEntry[];
    }
  /** The target broke the clause: a failed `expect` or a clause helper's violation. */
  | { readonly kind: 'fail'; readonly code: string; readonly failure: TestFailure }
  /** The harness broke (anything else thrown, no assertions, an unexpected pass, a timeout). */
  | {
      readonly kind: 'error';
      readonly code: string;
      readonly failure?: TestFailure;
      readonly reason?: string;
    }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'disabled'; readonly reason: string };

/**
 * What `clause()` records in the task meta (JSON, no live error): the verdict as the harness
 * decided it. The failure's text, diff and stack come from vitest's serialized error.
 */
export type RecordedVerdict =
  | { readonly kind: 'known-failure'; readonly reason: string }
  | { readonly kind: 'fail' | 'error'; readonly code: string }
  | { readonly kind: 'skip' | 'disabled'; readonly reason: string };

/** The live-error classification of the harness: `fail` for the target's fault, else `error`. */
export function recordThrown(code: string | undefined, targetsFault: boolean): RecordedVerdict {
  return { kind: targetsFault ? 'fail' : 'error', code: code ?? UNCODED_ERROR };
}

/** A finished test as a reporter sees it: vitest's state and first error, and the task meta. */
export interface FinishedTest {
  readonly state: string;
  readonly note?: string | undefined;
  readonly error?:
    | { readonly name?: string; readonly message?: string; readonly diff?: string; readonly stack?: string }
    | undefined;
  readonly meta?: BerthTaskMeta | undefined;
}

function failureOf(test: FinishedTest, code: string): TestFailure {
  const { error, meta } = test;
  return {
    name: error?.name ?? 'Error',
    code,
    message: error?.message ?? 'failed without an error',
    ...(error?.diff ? { diff: error.diff } : {}),
    ...(error?.stack ? { stack: error.stack } : {}),
    ...(meta?.transcript !== undefined && meta.transcript.length > 0 ? { transcript: meta.transcript } : {}),
  };
}

/** The verdict of a finished test, from what the harness recorded (a failure it did not classify is an error). */
export function verdictOfTest(test: FinishedTest): Verdict {
  const recorded = test.meta?.verdict;
  switch (test.state) {
    case 'passed':
      if (recorded?.kind !== 'known-failure') return { kind: 'pass' };
      return {
        kind: 'known-failure',
        reason: recorded.reason,
        ...(test.meta?.transcript === undefined ? {} : { transcript: test.meta.transcript }),
      };
    case 'failed': {
      if (recorded?.kind === 'fail') {
        return { kind: 'fail', code: recorded.code, failure: failureOf(test, recorded.code) };
      }
      const code = recorded?.kind === 'error' ? recorded.code : UNCLASSIFIED_FAILURE;
      return { kind: 'error', code, failure: failureOf(test, code) };
    }
    case 'skipped':
      if (recorded?.kind === 'disabled') return { kind: 'disabled', reason: recorded.reason };
      return { kind: 'skip', reason: recorded?.kind === 'skip' ? recorded.reason : (test.note ?? 'skipped') };
    default:
      return { kind: 'error', code: NEVER_FINISHED, reason: 'the test never finished' };
  }
}

/** A test verdict as results.json (`berth.results/2`) writes it. */
export function encodeVerdict(
  verdict: Verdict,
): Pick<TestResult, 'outcome' | 'reason' | 'expected' | 'failure'> {
  switch (verdict.kind) {
    case 'pass':
      return { outcome: 'pass' };
    case 'known-failure':
      return {
        outcome: 'fail',
        expected: true,
        reason: verdict.reason,
        ...(verdict.transcript === undefined
          ? {}
          : { failure: { name: 'KnownFailure', message: verdict.reason, transcript: verdict.transcript } }),
      };
    case 'fail':
      return { outcome: 'fail', failure: verdict.failure };
    case 'error':
      return {
        outcome: 'error',
        ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
        ...(verdict.failure === undefined ? {} : { failure: verdict.failure }),
      };
    case 'skip':
    case 'disabled':
      return { outcome: verdict.kind, reason: verdict.reason };
  }
}

/** The verdict kind of a test or clause of results.json: the one reading of `expected`. */
export function verdictKindOf(result: {
  readonly outcome: Outcome;
  readonly expected?: boolean;
}): VerdictKind {
  return result.outcome === 'fail' && result.expected === true ? 'known-failure' : result.outcome;
}

/** True for verdicts that make a run fail (a known failure does not). */
export function isFailingVerdict(kind: VerdictKind): boolean {
  return kind === 'fail' || kind === 'error';
}

/** True for verdicts reached by checking something (pass, fail, known failure or error). */
export function isChecked(kind: VerdictKind): boolean {
  return kind !== 'skip' && kind !== 'disabled';
}
