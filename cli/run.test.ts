import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findClause } from '../suite/clauses/index.js';
import { CLOSING_LINE, clauseOutcomes, expectReports, tail, useBerthRuns } from './berth-run.test-helper.js';

// `berth run` end to end: the reference, a ledger, a broken third-party proxy and a reference
// driver. (The docker target is in run-docker.test.ts, so the two files run side by side.)

// eslint-disable-next-line no-control-regex -- escape sequences are what must be absent
const ANSI = /\x1b\[/;

const berthRun = useBerthRuns();

describe('berth run', () => {
  it('npx berth run: the reference passes every clause it offers and every report is written', async () => {
    const finished = await berthRun('reference', []);
    const { run, lines, results, out } = finished;
    expect(run.errors).toBe('');
    expect(finished.code, tail(finished)).toBe(0);
    expect(lines.at(-1)).toMatch(CLOSING_LINE);
    expect(CLOSING_LINE.exec(lines.at(-1)!)![2]).toBe('0');
    expect(run.output).not.toMatch(ANSI);
    expect(results.target.name).toBe('reference');
    expect(results.outcome).toBe('pass');
    expect(results.selection.profile).toBe('core');
    // Every clause with a test ran and passed; the only others are pending in the catalogue.
    for (const clause of results.clauses) {
      const pending = findClause(clause.id)?.pending;
      if (pending === undefined) expect(clause.outcome, clause.id).toBe('pass');
      else expect(clause, clause.id).toMatchObject({ outcome: 'disabled', reason: pending });
    }
    expectReports(out, ['transport', 'registry', 'proxy', 'bridge', 'dispatch', 'snapshot', 'engine']);
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('classname="registry"');
    expect(junit).toContain('name="[REG-1] MUST');
  }, 600_000);

  it('a listed failure that passes fails the run, and only the selected clause runs (--clause, --expect, --seed)', async ({
    onTestFinished,
  }) => {
    const ledgerDir = await mkdtemp(join(tmpdir(), 'berth-ledger-'));
    onTestFinished(() => rm(ledgerDir, { recursive: true, force: true }));
    const ledger = join(ledgerDir, 'expect.json');
    await writeFile(ledger, JSON.stringify([{ clause: 'REG-1', reason: 'we thought it broke' }]));
    const { code, lines, results } = await berthRun('expect', [
      '--clause',
      'REG-1',
      '--expect',
      ledger,
      '--seed',
      '4242',
      '--profile',
      'quick',
    ]);
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/^0 passed, [1-9]\d* failed, 0 skipped$/);
    expect(results.seed).toBe(4242);
    expect(results.expectationsFile).toBe(ledger);
    expect(results.selection).toEqual({ profile: 'quick', areas: [], clauses: ['REG-1'] });
    const reg1 = results.clauses.find((clause) => clause.id === 'REG-1')!;
    expect(reg1.outcome).toBe('error');
    expect(reg1.tests[0]?.failure?.name).toBe('UnexpectedPassError');
    const reg2 = results.clauses.find((clause) => clause.id === 'REG-2')!;
    expect(reg2).toMatchObject({ outcome: 'disabled', tests: [] });
    expect(reg2.reason).toMatch(/not selected/);
  }, 300_000);

  it('a broken third-party proxy fails clauses with what was sent, what came back, and its stderr', async () => {
    const command =
      'node --import tsx cli/broken-proxy.test-helper.ts --listen {listen} --guest native={guest.native} --guest amd64={guest.amd64}';
    const { code, lines, results, out } = await berthRun('broken-proxy', [
      '--target',
      'proxy-command',
      '--clause',
      'HND-3',
      '--command',
      command,
    ]);
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('0 passed, 1 failed, 0 skipped');
    expect(results.target.probe).toMatchObject({ pingApiVersion: '1.41', roles: ['native', 'amd64'] });
    const hnd3 = results.clauses.find((clause) => clause.id === 'HND-3')!;
    expect(hnd3.outcome).toBe('fail');
    const transcript = hnd3.tests[0]?.failure?.transcript ?? [];
    expect(transcript.some((entry) => entry.sent.startsWith('GET /v1.41/info HTTP/1.1'))).toBe(true);
    expect(transcript.some((entry) => entry.received.includes('"answeredBy":"broken-proxy"'))).toBe(true);
    const stderr = transcript.find((entry) => entry.peer === 'proxy-command stderr');
    expect(stderr?.received).toContain('broken-proxy: listening on');
    expect(lines.join('\n')).toContain('HND-3 MUST fail');
    const html = await readFile(join(out, 'index.html'), 'utf8');
    expect(html).toContain('answeredBy');
  }, 300_000);

  it("npx berth run --target driver-command --command 'npx berth driver registry': REG passes through the driver", async () => {
    const finished = await berthRun('driver', [
      '--target',
      'driver-command',
      '--command',
      'npx berth driver registry',
    ]);
    const { run, lines, results, out } = finished;
    expect(run.errors).toBe('');
    expect(finished.code, tail(finished)).toBe(0);
    expect(lines.at(-1)).toMatch(/^[1-9]\d* passed, 0 failed, \d+ skipped$/);
    expect(clauseOutcomes(results, 'REG')).toEqual(['pass']);
    for (const prefix of ['VSK', 'HND', 'UPG', 'CMP', 'SNP', 'DKR']) {
      expect(clauseOutcomes(results, prefix), prefix).toEqual(['disabled']);
    }
    expectReports(out, ['registry']);
  }, 300_000);

  it('the reference proxy, launched as a third-party proxy, passes HND, UPG and DKR clauses through --target proxy-command', async () => {
    const command =
      'node bin/berth.js serve --listen {listen} --guest native={guest.native} --guest amd64={guest.amd64} ' +
      '--platform native={platform.native} --platform amd64={platform.amd64} --default-role {default-role} ' +
      '--handshake-timeout-ms {handshake-timeout-ms}';
    const finished = await berthRun('proxy-command', [
      '--target',
      'proxy-command',
      '--clause',
      'HND-7,HND-8,UPG-1,UPG-19,DKR-6,DKR-18',
      '--command',
      command,
    ]);
    expect(finished.code, tail(finished)).toBe(0);
    const ran = finished.results.clauses.filter((clause) => clause.tests.length > 0);
    expect(ran.map((clause) => [clause.id, clause.outcome])).toEqual(
      ['HND-7', 'HND-8', 'UPG-1', 'UPG-19', 'DKR-6', 'DKR-18'].map((id) => [id, 'pass']),
    );
    expect(finished.results.target.probe).toMatchObject({ roles: ['native', 'amd64'] });
  }, 300_000);

  it('on a terminal, redraws one live status line and still ends with the plain closing line', async ({
    skip,
    onTestFinished,
  }) => {
    // util-linux `script` gives the run a pseudo-terminal (with a size: log-update draws nothing on a 0-row one).
    if (spawnSync('script', ['--version']).status !== 0) return skip('util-linux script is not installed');
    const dir = await mkdtemp(join(tmpdir(), 'berth-tty-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const log = join(dir, 'terminal.log');
    const berth = join(import.meta.dirname, '..', 'bin', 'berth.js');
    const command = `stty rows 40 cols 120; node ${berth} run --clause REG-1 --out ${join(dir, 'out')}`;
    const { CI: _ci, ...env } = process.env;
    const result = spawnSync('script', ['-qfec', command, log], { env, encoding: 'utf8', timeout: 300_000 });
    expect(result.status).toBe(0);
    const screen = await readFile(log, 'utf8');
    expect(screen).toMatch(/files 2\/2/); // area 10-registry has two spec files
    expect(screen).toContain('\u001b[2K'); // the status line is erased and redrawn
    expect(
      screen
        .split('\n')
        .map((line) => line.replace(/\r$/, ''))
        .filter((line) => CLOSING_LINE.test(line)),
    ).toEqual(['1 passed, 0 failed, 0 skipped']);
  }, 300_000);
});
