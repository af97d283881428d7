import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSampleResults } from '../reports/render/sample-results.test-helper.js';
import { useLeakCheck } from '../suite/support/leak-check.js';
import { startBerth } from './berth-process.test-helper.js';

useLeakCheck();

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-report-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function berth(
  args: readonly string[],
): Promise<{ code: number | null; output: string; errors: string }> {
  const running = startBerth(args);
  const code = await running.exited;
  // 'exit' can come before the last output; 'close' means both pipes are drained.
  if (running.child.stdout?.readableEnded !== true || running.child.stderr?.readableEnded !== true) {
    await new Promise((resolve) => running.child.once('close', resolve));
  }
  return { code, output: running.output, errors: running.errors };
}

async function writeResults(content: unknown): Promise<string> {
  const path = join(dir, 'results.json');
  await writeFile(path, JSON.stringify(content));
  return path;
}

describe('berth report', { timeout: 60_000 }, () => {
  it('renders every report beside the results file and prints the written paths, one per line', async () => {
    const path = await writeResults(buildSampleResults());
    const run = await berth(['report', path]);
    expect(run).toMatchObject({ code: 0, errors: '' });
    const printed = run.output.trimEnd().split('\n');
    expect(printed).toEqual([
      join(dir, 'junit.xml'),
      join(dir, 'summary.md'),
      join(dir, 'index.html'),
      join(dir, 'badges', 'conformance.svg'),
      join(dir, 'badges', 'registry.svg'),
      join(dir, 'badges', 'proxy.svg'),
      join(dir, 'badges', 'bridge.svg'),
    ]);
    expect((await readdir(dir)).sort()).toEqual([
      'badges',
      'index.html',
      'junit.xml',
      'results.json',
      'summary.md',
    ]);
  });

  it('writes into --out', async () => {
    const path = await writeResults(buildSampleResults());
    const out = join(dir, 'reports');
    const run = await berth(['report', path, '--out', out]);
    expect(run.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['badges', 'index.html', 'junit.xml', 'summary.md']);
  });

  it('rejects a results file of an older schema in one line, exit 1, writing nothing', async () => {
    const path = await writeResults({ ...buildSampleResults(), schema: 'berth.results/1' });
    const run = await berth(['report', path]);
    expect(run.code).toBe(1);
    expect(run.output).toBe('');
    expect(run.errors).toMatch(/^berth: .*\(ERR_REPORT_INVALID_RESULTS\)\n$/);
    expect(await readdir(dir)).toEqual(['results.json']);
  });

  it('exits 2 without a results file argument', async () => {
    const run = await berth(['report']);
    expect(run.code).toBe(2);
    expect(run.output).toBe('');
  });
});
