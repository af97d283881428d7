import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../../reports/model/results.js';
import { tallyResults } from '../../reports/model/roll-up.js';
import { verdictKindOf } from '../../reports/model/verdict.js';
import { renderMarkdown } from '../../reports/render/markdown.js';
import { ROOT } from './project-files.js';

interface FixtureRun {
  readonly code: number;
  readonly stdout: string;
  readonly results: ResultsFile;
}

let dir = '';

/** Runs the outcome fixtures through vitest in a child process, as a user's run would go. */
function runFixtures(name: string, extraArgs: string[] = []): Promise<FixtureRun> {
  const out = join(dir, name);
  return new Promise((resolve, reject) => {
    execFile(
      join(ROOT, 'node_modules/.bin/vitest'),
      ['run', '--config', 'suite/meta/fixtures/vitest.fixture.config.ts', ...extraArgs],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          BERTH_SEED: '424242',
          BERTH_RESULTS: out,
          BERTH_EXPECT: join(dir, 'expect.json'),
          CI: 'true',
        },
      },
      (error, stdout) => {
        readFile(join(out, 'results.json'), 'utf8')
          .then((text) =>
            resolve({
              code: error ? Number(error.code ?? 1) : 0,
              stdout,
              results: JSON.parse(text) as ResultsFile,
            }),
          )
          .catch(reject);
      },
    );
  });
}

describe('outcomes of a run (fixtures through clause() and the reporters)', () => {
  let full: FixtureRun;
  let nothingRan: FixtureRun;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-outcomes-'));
    const ledger = [
      { clause: 'VSK-7', reason: 'known: the fixture fails on purpose' },
      { clause: 'VSK-8', title: 'although the ledger', reason: 'stale entry' },
    ];
    await writeFile(join(dir, 'expect.json'), JSON.stringify(ledger));
    [full, nothingRan] = await Promise.all([
      runFixtures('full'),
      runFixtures('none', ['--testNamePattern', 'VSK-5']),
    ]);
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const outcomeOf = (run: FixtureRun, id: string) => run.results.clauses.find((clause) => clause.id === id);

  it('tells pass, fail, error, skip and disabled apart', () => {
    expect(outcomeOf(full, 'VSK-1')?.outcome).toBe('pass');
    expect(outcomeOf(full, 'VSK-2')?.outcome).toBe('fail');
    expect(outcomeOf(full, 'VSK-4')?.outcome).toBe('error');
    expect(outcomeOf(full, 'VSK-5')?.outcome).toBe('skip');
    expect(outcomeOf(full, 'VSK-5')?.tests[0]?.reason).toContain('POST /teleport answered 501');
    expect(outcomeOf(full, 'VSK-6')?.outcome).toBe('disabled');
  });

  it('says what came back and what the clause required when a clause fails', () => {
    const failure = outcomeOf(full, 'VSK-2')?.tests[0]?.failure;
    expect(failure?.message).toContain('what the clause required');
    expect(failure?.message).toContain('what came back');
    expect(failure?.message).toContain('something else');
  });

  it('classifies what a clause body threw by code: a failed expect and a violation fail, anything else errors', () => {
    expect(outcomeOf(full, 'VSK-2')?.outcome).toBe('fail');
    expect(outcomeOf(full, 'VSK-2')?.tests[0]?.failure?.code).toBe('ERR_ASSERTION_FAILED');
    expect(outcomeOf(full, 'VSK-10')?.outcome).toBe('fail');
    expect(outcomeOf(full, 'VSK-10')?.tests[0]?.failure?.code).toBe('ERR_CLAUSE_VIOLATION');
    expect(outcomeOf(full, 'VSK-4')?.outcome).toBe('error');
    expect(outcomeOf(full, 'VSK-4')?.tests[0]?.failure?.code).toBe('ERR_UNCODED');
  });

  it('finds a violation inside a property test and fails the clause, not the harness', () => {
    const clause = outcomeOf(full, 'VSK-11');
    expect(clause?.outcome).toBe('fail');
    expect(clause?.tests[0]?.failure).toMatchObject({
      name: 'ClauseViolationError',
      code: 'ERR_CLAUSE_VIOLATION',
    });
  });

  it('makes a clause that asserted nothing an error', () => {
    expect(outcomeOf(full, 'VSK-3')?.outcome).toBe('error');
    expect(outcomeOf(full, 'VSK-3')?.tests[0]?.failure?.name).toBe('NoAssertionsError');
    expect(outcomeOf(full, 'VSK-3')?.tests[0]?.failure?.code).toBe('ERR_SUITE_NO_ASSERTIONS');
  });

  it('passes a known failure from the ledger as expected, and fails an unexpected pass', () => {
    expect(outcomeOf(full, 'VSK-7')).toMatchObject({ outcome: 'fail', expected: true });
    expect(outcomeOf(full, 'VSK-8')?.outcome).toBe('error');
    expect(outcomeOf(full, 'VSK-8')?.tests[0]?.failure?.name).toBe('UnexpectedPassError');
    expect(outcomeOf(full, 'VSK-8')?.tests[0]?.failure?.code).toBe('ERR_SUITE_UNEXPECTED_PASS');
    expect(full.results.knownFailures).toBe(1);
  });

  it('spells a known failure once, from the harness through results.json to the reports', () => {
    const known = outcomeOf(full, 'VSK-7');
    expect(known && verdictKindOf(known)).toBe('known-failure');
    expect(known?.tests[0] && verdictKindOf(known.tests[0])).toBe('known-failure');
    expect(known?.tests[0]?.reason).toBe('known: the fixture fails on purpose');
    expect(tallyResults(full.results)).toMatchObject({ knownFailures: 1, passed: 3 });
    expect(full.stdout).toContain('known failures (expectations ledger): 1, counted as passed');
    expect(renderMarkdown(full.results)).toContain('known: the fixture fails on purpose');
  });

  it('writes the seed into the results, prints it, and hands it to fast-check', () => {
    expect(full.results.seed).toBe(424242);
    expect(full.stdout).toContain('seed: 424242');
    expect(outcomeOf(full, 'VSK-9')?.outcome).toBe('pass');
  });

  it('fails the run and ends with the plain closing line', () => {
    expect(full.code).not.toBe(0);
    expect(full.results.outcome).toBe('error');
    const lines = full.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('3 passed, 6 failed, 2 skipped');
  });

  it('makes a run in which nothing asserted an error', () => {
    expect(nothingRan.results.outcome).toBe('error');
    expect(nothingRan.code).not.toBe(0);
    expect(nothingRan.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed, 11 skipped');
  });
});
