import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { catalogue, findClause } from '../suite/clauses/index.js';
import { isFailing, worstOutcome, OUTCOMES, type Outcome } from '../suite/support/outcome.js';
import {
  RESULTS_SCHEMA,
  type ClauseResult,
  type ResultsFile,
  type TestFailure,
  type TestResult,
} from './results.js';

const VIOLATION_NAMES = new Set(['AssertionError', 'ClauseViolationError']);
const CLAUSE_IN_TITLE = /^\[([A-Z]+-\d+)\] /;

function testOutcome(test: TestCase): {
  outcome: Outcome;
  reason?: string;
  expected?: boolean;
  failure?: TestFailure;
} {
  const result = test.result();
  const meta = test.meta().berth;
  switch (result.state) {
    case 'passed':
      return meta?.knownFailure !== undefined
        ? { outcome: 'fail', expected: true, reason: meta.knownFailure }
        : { outcome: 'pass' };
    case 'failed': {
      const error = result.errors?.[0];
      const failure: TestFailure = {
        name: error?.name ?? 'Error',
        message: error?.message ?? 'failed without an error',
        ...(error?.diff ? { diff: error.diff } : {}),
        ...(error?.stack ? { stack: error.stack } : {}),
      };
      return { outcome: VIOLATION_NAMES.has(failure.name) ? 'fail' : 'error', failure };
    }
    case 'skipped':
      if (meta?.disabled !== undefined) return { outcome: 'disabled', reason: meta.disabled };
      return { outcome: 'skip', reason: meta?.skipped ?? result.note ?? 'skipped' };
    default:
      return { outcome: 'error', reason: 'the test never finished' };
  }
}

/** Writes `results.json` for a conformance run into the folder named by BERTH_RESULTS. */
export default class ResultsReporter implements Reporter {
  private readonly startedAt = new Date();

  onTestRunEnd(modules: readonly TestModule[], unhandledErrors: readonly SerializedError[]): void {
    const outDir = process.env.BERTH_RESULTS ?? 'reports/out';
    const byClause = new Map<string, TestResult[]>();
    const orphans: TestResult[] = [];

    for (const module of modules) {
      const file = relative(process.cwd(), module.moduleId);
      for (const test of module.children.allTests()) {
        const result: TestResult = {
          title: test.name,
          file,
          durationMs: Math.round(test.diagnostic()?.duration ?? 0),
          ...testOutcome(test),
        };
        const id = test.meta().berth?.clause ?? CLAUSE_IN_TITLE.exec(test.name)?.[1];
        if (id === undefined || findClause(id) === undefined) {
          orphans.push({ ...result, outcome: 'error', reason: 'the test names no catalogue clause' });
        } else {
          byClause.set(id, [...(byClause.get(id) ?? []), result]);
        }
      }
      for (const error of module.errors()) {
        orphans.push({
          title: `(module) ${file}`,
          file,
          outcome: 'error',
          durationMs: 0,
          failure: { name: error.name ?? 'Error', message: error.message },
        });
      }
    }
    for (const error of unhandledErrors) {
      orphans.push({
        title: '(unhandled error)',
        file: '',
        outcome: 'error',
        durationMs: 0,
        failure: { name: error.name ?? 'Error', message: error.message },
      });
    }

    const clauses: ClauseResult[] = catalogue.map((clause) => {
      const tests = byClause.get(clause.id) ?? [];
      const counted = tests.filter((test) => !test.expected);
      const expected = tests.some((test) => test.expected);
      const base = { id: clause.id, level: clause.level, text: clause.text, source: clause.source, tests };
      if (tests.length === 0) {
        return {
          ...base,
          outcome: 'disabled',
          expected: false,
          reason: clause.pending ?? clause.retired ?? 'no test of this clause ran',
        };
      }
      const outcome = counted.length > 0 ? worstOutcome(counted.map((test) => test.outcome)) : 'fail';
      return { ...base, outcome: expected && outcome === 'pass' ? 'fail' : outcome, expected };
    });

    const counts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>;
    for (const clause of clauses) counts[clause.outcome] += 1;
    const failing = [
      ...clauses.map((c) => ({ outcome: c.outcome, expected: c.expected })),
      ...orphans.map((o) => ({ outcome: o.outcome, expected: false })),
    ];
    const ran = clauses.some((clause) =>
      clause.tests.some((test) => test.outcome === 'pass' || test.outcome === 'fail'),
    );
    let outcome = worstOutcome(failing.filter((f) => isFailing(f.outcome, f.expected)).map((f) => f.outcome));
    if (outcome === 'disabled') outcome = ran ? 'pass' : 'error';

    const results: ResultsFile = {
      schema: RESULTS_SCHEMA,
      target: { name: process.env.BERTH_TARGET?.trim() || 'reference' },
      seed: Number(process.env.BERTH_SEED),
      startedAt: this.startedAt.toISOString(),
      durationMs: Date.now() - this.startedAt.getTime(),
      outcome,
      counts,
      knownFailures: clauses.filter((clause) => clause.expected).length,
      clauses,
      orphans,
    };
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, 'results.json');
    writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
    console.log(
      `results: ${path} (outcome ${outcome}; ${OUTCOMES.map((o) => `${counts[o]} ${o}`).join(', ')})`,
    );
    if (!ran) process.exitCode = 1;
  }
}
