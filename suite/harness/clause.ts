import { test, type ExpectStatic, type TestContext } from 'vitest';
import { getClause, type ClauseId } from '../clauses/index.js';
import { expectationsFor, findExpectation } from '../expectations/index.js';
import type { FacetName, Target } from '../targets/target.js';
import {
  ClauseViolationError,
  isClauseViolation,
  NoAssertionsError,
  UnexpectedPassError,
} from '../support/suite-errors.js';
import type { BerthTaskMeta } from '../../reports/model/task-meta.js';
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

/** True when an error's `cause` chain holds a clause violation (fast-check wraps what failed). */
function violationInCauses(error: unknown): boolean {
  let cause = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth += 1) {
    if (isClauseViolation(cause)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

function asViolation(error: unknown): ClauseViolationError {
  return new ClauseViolationError((error as Error).message, { cause: error });
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
          meta.disabled = `target '${target.name}' does not offer the ${facet} facet`;
          return context.skip(meta.disabled);
        }
        return recorded(facet, found as NonNullable<Target[typeof facet]>);
      },
      requireFeature(feature, supported, evidence) {
        if (supported) return;
        meta.skipped = `unsupported: ${feature} (${evidence})`;
        context.skip(meta.skipped);
      },
    };

    let failure: unknown;
    let failed = false;
    beginTranscript();
    try {
      await body(clauseContext);
    } catch (error) {
      if (isSkipSignal(error)) throw error;
      const unconfigurable = cannotConfigure(error);
      if (unconfigurable !== undefined) {
        endTranscript();
        meta.disabled = `target '${target.name}' cannot set this clause up: ${unconfigurable}`;
        context.skip(meta.disabled);
      }
      // A property test reports a counterexample as its own error; when what failed inside it was a
      // clause violation, the clause failed (the target's fault), it did not error.
      failure = !isClauseViolation(error) && violationInCauses(error) ? asViolation(error) : error;
      failed = true;
    } finally {
      const transcript = endTranscript();
      if (failed && transcript.length > 0) meta.transcript = transcript;
    }
    meta.assertions = context.expect.getState().assertionCalls;

    if (known !== undefined) {
      if (failed && isClauseViolation(failure)) {
        meta.knownFailure = known.reason;
        return;
      }
      if (!failed) throw new UnexpectedPassError(fullTitle, known.reason);
    }
    if (failed) throw failure;
    if (meta.assertions === 0) throw new NoAssertionsError(fullTitle);
  });
}
