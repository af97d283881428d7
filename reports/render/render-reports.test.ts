import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../model/results.js';
import { readResultsFile, renderReports } from './index.js';
import { buildSampleResults } from './sample-results.test-helper.js';
import { parseXml } from './parse-xml.test-helper.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-render-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

describe('renderReports', () => {
  it('writes JUnit, Markdown, HTML and the badges of the components that ran, and returns the paths', async () => {
    const out = join(dir, 'out');
    const written = await renderReports(buildSampleResults(), out);
    expect(await listTree(out)).toEqual([
      'badges/bridge.svg',
      'badges/conformance.svg',
      'badges/proxy.svg',
      'badges/registry.svg',
      'index.html',
      'junit.xml',
      'summary.md',
    ]);
    expect(written).toMatchObject({
      junit: join(out, 'junit.xml'),
      markdown: join(out, 'summary.md'),
      html: join(out, 'index.html'),
      overallBadge: join(out, 'badges', 'conformance.svg'),
      componentBadges: {
        registry: join(out, 'badges', 'registry.svg'),
        bridge: join(out, 'badges', 'bridge.svg'),
      },
    });
    expect(written.paths).toHaveLength(7);
    expect(parseXml(await readFile(written.junit, 'utf8')).name).toBe('testsuites');
  });

  it('renders a results file read back from disk the same way', async () => {
    const path = join(dir, 'results.json');
    await writeFile(path, JSON.stringify(buildSampleResults()));
    const first = await renderReports(buildSampleResults(), join(dir, 'a'));
    const second = await renderReports(readResultsFile(path), join(dir, 'b'));
    expect(await readFile(second.markdown, 'utf8')).toBe(await readFile(first.markdown, 'utf8'));
    expect(await readFile(second.junit, 'utf8')).toBe(await readFile(first.junit, 'utf8'));
  });

  it('removes the badge of a component that ran before but not now, and leaves other files alone', async () => {
    const out = join(dir, 'out');
    await renderReports(buildSampleResults(), out);
    await writeFile(join(out, 'badges', 'mine.svg'), '<svg/>');
    const registryOnly = buildSampleResults();
    const clauses = registryOnly.clauses.map((clause) =>
      clause.component === 'registry'
        ? clause
        : { ...clause, outcome: 'disabled' as const, expected: false, tests: [] },
    );
    const counts = { disabled: 7, skip: 0, pass: 2, fail: 0, error: 0 };
    await renderReports({ ...registryOnly, clauses, counts, knownFailures: 0, outcome: 'pass' }, out);
    expect((await readdir(join(out, 'badges'))).sort()).toEqual([
      'conformance.svg',
      'mine.svg',
      'registry.svg',
    ]);
  });

  it('writes nothing when the results are bad', async () => {
    const bad = { ...buildSampleResults(), outcome: 'passed' } as unknown as ResultsFile;
    const out = join(dir, 'out');
    await expect(renderReports(bad, out)).rejects.toMatchObject({
      code: 'ERR_REPORT_INVALID_RESULTS',
      jsonPath: 'outcome',
    });
    expect(existsSync(out)).toBe(false);
  });

  it('throws a typed error when the folder cannot be written', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    await expect(renderReports(buildSampleResults(), file)).rejects.toMatchObject({
      code: 'ERR_REPORT_WRITE',
    });
  });
});
