import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { readFileSync } from 'node:fs';
import { componentOf } from '../suite/clauses/catalogue.js';
import { catalogue, findClause } from '../suite/clauses/index.js';
import { readRunEnvironment, type RunEnvironment } from './model/run-environment.js';
import { isFailing, worstOutcome, OUTCOMES, type Outcome } from './model/outcome.js';
import {
  RESULTS_SCHEMA,
  type ClauseResult,
  type ResultsFile,
  type Selection,
  type TargetInfo,
  type TestFailure,
  type TestResult,
} from './model/results.js';
import { clauseOfTitle, isClauseSelected } from './model/task-meta.js';

const VIOLATION_NAMES = new Set(['AssertionError', 'ClauseViolationError']);

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
        ? {
            outcome: 'fail',
            expected: true,
            reason: meta.knownFailure,
            ...(meta.transcript === undefined
              ? {}
              : {
                  failure: { name: 'KnownFailure', message: meta.knownFailure, transcript: meta.transcript },
                }),
          }
        : { outcome: 'pass' };
    case 'failed': {
      const error = result.errors?.[0];
      const failure: TestFailure = {
        name: error?.name ?? 'Error',
        message: error?.message ?? 'failed without an error',
        ...(error?.diff ? { diff: error.diff } : {}),
        ...(error?.stack ? { stack: error.stack } : {}),
        ...(meta?.transcript !== undefined && meta.transcript.length > 0
          ? { transcript: meta.transcript }
          : {}),
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

function berthVersion(): string {
  try {
    const path = new URL('../package.json', import.meta.url);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The run's selection, as `berth run` passed it through the environment. */
export function selectionOf(run: RunEnvironment): Selection {
  return { profile: run.profile, areas: [...run.areas], clauses: [...run.clauses] };
}

/**
 * The target's identity, options and probe, as the run's probe recorded them: the options are
 * those its definition shows, redacted as it says (suite/targets/index.ts, probeTarget).
 */
export function targetInfoOf(run: RunEnvironment): TargetInfo {
  const probe = run.targetProbe ?? {};
  return {
    name: run.target,
    description: probe.description ?? run.target,
    options: { ...probe.options },
    probe: { ...probe.facts },
  };
}

/** Why a catalogue clause has no test result in this run. */
function notRunReason(
  clause: { id: string; pending?: string; retired?: string },
  selection: Selection,
): string {
  if (clause.pending !== undefined) return clause.pending;
  if (clause.retired !== undefined) return clause.retired;
  if (selection.clauses.length > 0 && !selection.clauses.includes(clause.id)) {
    return `not selected (--clause ${selection.clauses.join(',')})`;
  }
  if (selection.areas.length > 0) return `not selected (--area ${selection.areas.join(',')})`;
  return 'no test of this clause ran';
}

/** Writes `results.json` for a conformance run into the run's results folder (BERTH_RESULTS). */
export default class ResultsReporter implements Reporter {
  private readonly startedAt = new Date();

  onTestRunEnd(modules: readonly TestModule[], unhandledErrors: readonly SerializedError[]): void {
    const run = readRunEnvironment();
    const outDir = run.resultsDir ?? 'reports/out';
    const selection = selectionOf(run);
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
        const id = test.meta().berth?.clause ?? clauseOfTitle(test.name);
        // With --clause, tests of other clauses are filtered out by name: not run, not "skipped".
        if (result.outcome === 'skip' && !isClauseSelected(selection.clauses, id)) continue;
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
      const base = {
        id: clause.id,
        component: componentOf(clause.id),
        level: clause.level,
        text: clause.text,
        source: clause.source,
        durationMs: tests.reduce((sum, test) => sum + test.durationMs, 0),
        tests,
      };
      if (tests.length === 0) {
        return { ...base, outcome: 'disabled', expected: false, reason: notRunReason(clause, selection) };
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
      tool: { name: 'berth', version: berthVersion() },
      target: targetInfoOf(run),
      selection,
      ...(run.expectFile === undefined ? {} : { expectationsFile: run.expectFile }),
      seed: run.seed ?? Number.NaN,
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
