import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseResultsFile, readResultsFile } from './read-results-file.js';
import { buildSampleResults } from './sample-results.test-helper.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-read-results-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The sample results as a mutable JSON value, to break one field at a time. */
function sampleJson(): Record<string, unknown> & { clauses: Record<string, unknown>[] } {
  return JSON.parse(JSON.stringify(buildSampleResults())) as Record<string, unknown> & {
    clauses: Record<string, unknown>[];
  };
}

function problemOf(text: string): unknown {
  try {
    parseResultsFile(text, 'results.json');
  } catch (error) {
    return error;
  }
  throw new Error('parseResultsFile accepted the file');
}

describe('readResultsFile', () => {
  it('reads a results file back as written', async () => {
    const path = join(dir, 'results.json');
    await writeFile(path, `\ufeff${JSON.stringify(buildSampleResults(), null, 2)}\n`);
    expect(readResultsFile(path)).toEqual(buildSampleResults());
  });

  it('ignores fields it does not know (a newer berth may add optional ones)', () => {
    const json = { ...sampleJson(), addedLater: { anything: true } };
    expect(parseResultsFile(JSON.stringify(json)).seed).toBe(424242);
  });

  it.each([
    ['a missing file', (d: string) => join(d, 'missing.json')],
    ['a folder', (d: string) => d],
  ])('says when it cannot read %s', (_what, pathIn) => {
    expect(() => readResultsFile(pathIn(dir))).toThrow(
      expect.objectContaining({ code: 'ERR_REPORT_INVALID_RESULTS', problem: 'unreadable' }),
    );
  });

  it('says when the file is not JSON, in one line', () => {
    const error = problemOf('{"schema": "berth.results/2",\n oops');
    expect(error).toMatchObject({ code: 'ERR_REPORT_INVALID_RESULTS', problem: 'not-json' });
    expect((error as Error).message).not.toContain('\n');
  });

  it.each([
    ['an array', '[]', 'not-results', undefined],
    ['no schema', '{"tool": {}}', 'not-results', undefined],
    ['an older schema', '{"schema": "berth.results/1"}', 'older-schema', 'berth.results/1'],
    ['a newer schema', '{"schema": "berth.results/3"}', 'newer-schema', 'berth.results/3'],
    ['another schema', '{"schema": "junit"}', 'unknown-schema', 'junit'],
  ])('names the schema problem for %s', (_what, text, problem, schema) => {
    expect(problemOf(text)).toMatchObject({ code: 'ERR_REPORT_INVALID_RESULTS', problem, schema });
  });

  it.each<[string, (json: ReturnType<typeof sampleJson>) => void, string]>([
    ['a missing clause outcome', (j) => delete j.clauses[3]?.outcome, 'clauses[3].outcome'],
    ['an unknown clause outcome', (j) => ((j.clauses[3] ?? {}).outcome = 'passed'), 'clauses[3].outcome'],
    ['a missing target', (j) => delete j.target, 'target'],
    ['a seed given as text', (j) => (j.seed = '42'), 'seed'],
    ['a bad level', (j) => ((j.clauses[0] ?? {}).level = 'must'), 'clauses[0].level'],
    ['a non-boolean expected', (j) => ((j.clauses[0] ?? {}).expected = 'no'), 'clauses[0].expected'],
    [
      'a transcript entry without received',
      (j) => {
        const tests = j.clauses[2]?.tests as { failure?: { transcript?: Record<string, unknown>[] } }[];
        delete tests[1]?.failure?.transcript?.[0]?.received;
      },
      'clauses[2].tests[1].failure.transcript[0].received',
    ],
    ['a negative duration', (j) => (j.durationMs = -1), 'durationMs'],
    ['a bad start time', (j) => (j.startedAt = 'yesterday'), 'startedAt'],
    [
      'a target option that is not text',
      (j) => ((j.target as { options: object }).options = { port: 1 }),
      'target.options.port',
    ],
    [
      'an orphan without a title',
      (j) => (j.orphans = [{ file: '', outcome: 'error', durationMs: 0 }]),
      'orphans[0].title',
    ],
    [
      'counts that disagree with the clauses',
      (j) => ((j.counts as { pass: number }).pass = 7),
      'counts.pass',
    ],
    ['a known-failure count that disagrees', (j) => (j.knownFailures = 0), 'knownFailures'],
  ])('names the JSON path of %s', (_what, mutate, jsonPath) => {
    const json = sampleJson();
    mutate(json);
    const error = problemOf(JSON.stringify(json));
    expect(error).toMatchObject({ code: 'ERR_REPORT_INVALID_RESULTS', problem: 'field', jsonPath });
    expect((error as Error).message).not.toContain('\n');
  });
});
