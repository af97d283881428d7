import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { readFileSync } from 'node:fs';
import { componentOf } from '../suite/clauses/catalogue.js';
import { catalogue, findClause } from '../suite/clauses/index.js';
import { readRunEnvironment, type RunEnvironment } from './model/run-environment.js';
import { OUTCOMES } from './model/outcome.js';
import {
  RESULTS_SCHEMA,
  type ClauseResult,
  type ResultsFile,
  type Selection,
  type TargetInfo,
  type TestResult,
} from './model/results.js';
import {
  countClauseOutcomes,
  countKnownFailures,
  rollUpClause,
  rollUpRun,
  tallyTests,
} from './model/roll-up.js';
import { encodeVerdict, verdictOfTest } from './model/verdict.js';
import { clauseOfTitle, isClauseSelected } from './model/task-meta.js';

/** A test's verdict as the harness recorded it (reports/model/verdict.ts), written as results.json does. */
function testOutcome(test: TestCase): Pick<TestResult, 'outcome' | 'reason' | 'expected' | 'failure'> {
  const result = test.result();
  return encodeVerdict(
    verdictOfTest({
      state: result.state,
      note: result.state === 'skipped' ? result.note : undefined,
      error: result.errors?.[0],
      meta: test.meta().berth,
    }),
  );
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
      return { ...base, ...rollUpClause(tests) };
    });

    const counts = countClauseOutcomes(clauses);
    const outcome = rollUpRun(clauses, orphans);
    const ran = !tallyTests(clauses, []).checkedNothing;

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
      knownFailures: countKnownFailures(clauses),
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
