import { describe, expect, it } from 'vitest';
import { catalogue } from '../suite/clauses/index.js';
import type { ListedClause } from './list.js';
import { startBerth } from './berth-process.test-helper.js';

async function berth(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = startBerth(args);
  const code = await child.exited;
  return { code, out: child.output, err: child.errors };
}

// Each test starts berth as a user would (node and tsx): seconds on a loaded machine, so a generous deadline.
describe('berth list', { timeout: 60_000 }, () => {
  it('prints the whole catalogue as a table, one clause per line, with pending reasons', async () => {
    const { code, out, err } = await berth(['list']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+LEVEL\s+COMPONENT\s+CLAUSE$/);
    expect(lines.at(-1)).toBe(`${catalogue.length} clauses`);
    expect(lines).toHaveLength(catalogue.length + 2);
    expect(out).toMatch(/^CMP-17\s+\w+\s+dispatch\s+.*\(pending: /m);
  });

  it('filters by area, component, level and clause, and prints JSON with --json', async () => {
    const { code, out } = await berth(['list', '--area', '20', '--level', 'must', '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(out) as ListedClause[];
    const expected = catalogue.filter((c) => c.id.startsWith('HND-') && c.level === 'MUST').map((c) => c.id);
    expect(listed.map((c) => c.id)).toEqual(expected);
    expect(listed[0]).toMatchObject({ component: 'proxy', area: '20-proxy', level: 'MUST' });

    const byComponent = JSON.parse(
      (await berth(['list', '--component', 'engine', '--json'])).out,
    ) as ListedClause[];
    expect(new Set(byComponent.map((c) => c.area))).toEqual(new Set(['60-engine']));
    const byClause = JSON.parse(
      (await berth(['list', '--clause', 'reg-1,UPG-2', '--json'])).out,
    ) as ListedClause[];
    expect(byClause.map((c) => c.id)).toEqual(['REG-1', 'UPG-2']);
  });

  it.each([
    [['list', '--area', '99-nothing'], /unknown area '99-nothing'/],
    [['list', '--component', 'kernel'], /unknown component 'kernel'/],
    [['list', '--level', 'OUGHT'], /unknown level 'OUGHT'/],
    [['list', '--clause', 'HND-999'], /HND-999 is not in the catalogue/],
    [['list', '--bogus'], /unknown option '--bogus'/],
  ])('rejects %j with one line and exit code 2', async (args, message) => {
    const { code, out, err } = await berth(args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(message);
  });
});
