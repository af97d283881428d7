import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ResultsFile } from '../reports/model/results.js';
import { startBerth, type BerthProcess } from './berth-process.test-helper.js';

/** The plain closing line `berth run` ends with. */
export const CLOSING_LINE = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;

export interface FinishedRun {
  readonly code: number | null;
  readonly run: BerthProcess;
  readonly lines: string[];
  readonly results: ResultsFile;
  readonly out: string;
}

/**
 * `berth run` as a user runs it, for end-to-end tests: a child process with its own vitest,
 * without a terminal (as CI), each run writing into a fresh folder removed after the file.
 */
export function useBerthRuns(): (
  name: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
) => Promise<FinishedRun> {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-run-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return async (name, args, env = {}) => {
    const out = join(dir, name);
    const run = startBerth(['run', ...args, '--out', out], {
      env: { ...process.env, CI: 'true', BERTH_SEED: '', ...env },
    });
    const code = await run.exited;
    const lines = run.output.trimEnd().split('\n');
    const path = join(out, 'results.json');
    if (!existsSync(path)) {
      throw new Error(`no results.json (exit ${code}); stdout: ${run.output}; stderr: ${run.errors}`);
    }
    const results = JSON.parse(await readFile(path, 'utf8')) as ResultsFile;
    return { code, run, lines, results, out };
  };
}

/** Every report of a run is in `out`, with a badge for each of `components`. */
export function expectReports(out: string, components: readonly string[]): void {
  for (const file of ['results.json', 'junit.xml', 'summary.md', 'index.html', 'badges/conformance.svg']) {
    expect(existsSync(join(out, file)), file).toBe(true);
  }
  for (const component of components) {
    expect(existsSync(join(out, 'badges', `${component}.svg`)), `${component} badge`).toBe(true);
  }
}

/** The distinct outcomes of the clauses with this prefix. */
export function clauseOutcomes(results: ResultsFile, prefix: string): string[] {
  return [...new Set(results.clauses.filter((c) => c.id.startsWith(prefix)).map((c) => c.outcome))];
}

/** The end of a run's output, for assertion messages: the failing clauses and the closing line. */
export function tail(run: FinishedRun): string {
  return `${run.run.output.slice(-3000)}\nstderr: ${run.run.errors.slice(-2000)}`;
}
