import { chai, test, type ExpectStatic, type TestContext } from 'vitest';
import { getClause, type ClauseId } from '../clauses/index.js';
import { expectationsFor, findExpectation } from '../expectations/index.js';
import type { FacetName, Target } from '../targets/target.js';
import {
  CLAUSE_VIOLATION,
  ClauseViolationError,
  NoAssertionsError,
  UnexpectedPassError,
} from '../support/suite-errors.js';
import type { BerthTaskMeta } from '../../reports/model/task-meta.js';
import { ASSERTION_FAILED, recordThrown, type RecordedVerdict } from '../../reports/model/verdict.js';
import { currentTargetDefinition, getTarget } from './current-target.js';
import { readRunEnvironment } from '../../reports/model/run-environment.js';
import { beginTranscript, endTranscript, recordCalls } from '../support/transcript.js';

export interface ClauseContext {
  readonly target: Target;
  readonly expect: ExpectStatic;
  /** Aborted when the test times out or the run is cancelled. */
  readonly signal: AbortSignal;
  /** Registers cleanup that runs after the test, pass or fail. */
  readonly onTestFinished: TestContext['onTestFinished'];
  /** The facet the clause checks; the test is `disabled` on a target without it. */
  readonly use: <F extends FacetName>(facet: F) => NonNullable<Target[F]>;
  /**
   * Skips the clause when the target proved, with an answer the contract allows, that it does
   * not support `feature`; `evidence` says what it answered. Returns normally when supported.
   */
  readonly requireFeature: (feature: string, supported: boolean, evidence: string) => void;
}

export interface ClauseOptions {
  readonly timeoutMs?: number;
}

/** Titles a conformance test `[ID] LEVEL title`. */
export function clauseTitle(id: ClauseId, title: string): string {
  return `[${id}] ${getClause(id).level} ${title}`;
}

/** vitest's signal that a test was skipped from inside (context.skip()). */
function isSkipSignal(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'VITEST_PENDING'
  );
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The target's fault, with its stable code: a failed assertion of vitest's `expect` (chai's
 * AssertionError, by identity) or a clause helper's violation (by code); undefined otherwise.
 */
function violationCode(error: unknown): string | undefined {
  if (error instanceof chai.AssertionError) return ASSERTION_FAILED;
  return codeOf(error) === CLAUSE_VIOLATION ? CLAUSE_VIOLATION : undefined;
}

/**
 * How the harness classifies what a clause body threw: `fail` for the target's fault (also when
 * it sits in the `cause` chain: fast-check reports a counterexample as its own error, wrapping
 * what failed), `error` for anything else, with the thrown value's code.
 */
function classifyThrown(error: unknown): { verdict: RecordedVerdict; failure: unknown } {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 6; depth += 1) {
    const code = violationCode(current);
    // A violation found inside a wrapper is reported as one, the wrapper's message kept.
    const failure =
      depth === 0 ? error : new ClauseViolationError((error as Error).message, { cause: error });
    if (code !== undefined) return { verdict: recordThrown(code, true), failure };
    current = (current as { cause?: unknown }).cause;
  }
  return { verdict: recordThrown(codeOf(error), false), failure: error };
}

/** `ERR_TARGET_CANNOT_CONFIGURE`: the target cannot set the clause up (outcome `disabled`). */
function cannotConfigure(error: unknown): string | undefined {
  // Looked for along the cause chain too: a property test wraps what its body threw.
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === 'ERR_TARGET_CANNOT_CONFIGURE' && typeof message === 'string') return message;
    current = cause;
  }
  return undefined;
}

/**
 * The facet a clause asked for; in-process facets whose "wire" is a method call (registry,
 * dispatch) are wrapped so each call lands in the transcript.
 */
function recorded<F extends FacetName>(facet: F, found: NonNullable<Target[F]>): NonNullable<Target[F]> {
  if (facet === 'registry') {
    const registry = found as NonNullable<Target['registry']>;
    const wrapped: NonNullable<Target['registry']> = {
      create: async () => recordCalls('registry', await registry.create()),
    };
    return wrapped as unknown as NonNullable<Target[F]>;
  }
  if (facet === 'dispatch') {
    const dispatch = found as NonNullable<Target['dispatch']>;
    const wrapped: NonNullable<Target['dispatch']> = {
      mockRuntime: (name, journal) => dispatch.mockRuntime(name, journal),
      fakeRuntime: (name, options) => dispatch.fakeRuntime(name, options),
      imageInspector: (options) => dispatch.imageInspector(options),
      create: async (runtimes) => recordCalls('composite runtime', await dispatch.create(runtimes)),
    };
    return wrapped as unknown as NonNullable<Target[F]>;
  }
  return found;
}

/**
 * Declares the conformance test of one catalogue clause. The body gets the run's target; it must
 * assert something (a body that asserts nothing is an `error`), and a failure listed in the
 * target's expectations ledger passes as a known failure while an unexpected pass fails.
 */
export function clause(
  id: ClauseId,
  title: string,
  body: (context: ClauseContext) => Promise<void> | void,
  options: ClauseOptions = {},
): void {
  const entry = getClause(id); // unknown ids fail at collection, naming the id
  const fullTitle = clauseTitle(id, title);
  const definition = currentTargetDefinition();
  const targetName = definition.name;
  const ledger = expectationsFor(definition.expectations, readRunEnvironment().expectFile);
  const known = findExpectation(ledger, id, fullTitle);

  test(fullTitle, options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }, async (context) => {
    const meta: BerthTaskMeta = { clause: id, level: entry.level, target: targetName };
    context.task.meta.berth = meta;
    const target = getTarget();
    const clauseContext: ClauseContext = {
      target,
      expect: context.expect,
      signal: context.signal,
      onTestFinished: context.onTestFinished,
      use(facet) {
        const found = target[facet];
        if (found === undefined) {
          const reason = `target '${target.name}' does not offer the ${facet} facet`;
          meta.verdict = { kind: 'disabled', reason };
          return context.skip(reason);
        }
        return recorded(facet, found as NonNullable<Target[typeof facet]>);
      },
      requireFeature(feature, supported, evidence) {
        if (supported) return;
        const reason = `unsupported: ${feature} (${evidence})`;
        meta.verdict = { kind: 'skip', reason };
        context.skip(reason);
      },
    };

    let failure: unknown;
    let thrown: RecordedVerdict | undefined;
    beginTranscript();
    try {
      await body(clauseContext);
    } catch (error) {
      // The body asked to skip (use() or requireFeature()): that stands, even when what it threw
      // was wrapped on the way out (a property test wraps the skip signal).
      if (isSkipSignal(error) || meta.verdict !== undefined) throw error;
      const unconfigurable = cannotConfigure(error);
      if (unconfigurable !== undefined) {
        endTranscript();
        const reason = `target '${target.name}' cannot set this clause up: ${unconfigurable}`;
        meta.verdict = { kind: 'disabled', reason };
        context.skip(reason);
      }
      ({ verdict: thrown, failure } = classifyThrown(error));
    } finally {
      const transcript = endTranscript();
      if (thrown !== undefined && transcript.length > 0) meta.transcript = transcript;
    }
    meta.assertions = context.expect.getState().assertionCalls;

    if (known !== undefined) {
      // A known failure of the ledger is a failure the target caused; an unexpected pass errors.
      if (thrown?.kind === 'fail') {
        meta.verdict = { kind: 'known-failure', reason: known.reason };
        return;
      }
      if (thrown === undefined) {
        const unexpected = new UnexpectedPassError(fullTitle, known.reason);
        meta.verdict = recordThrown(unexpected.code, false);
        throw unexpected;
      }
    }
    if (thrown !== undefined) {
      meta.verdict = thrown;
      throw failure;
    }
    if (meta.assertions === 0) {
      const nothing = new NoAssertionsError(fullTitle);
      meta.verdict = recordThrown(nothing.code, false);
      throw nothing;
    }
  });
}
