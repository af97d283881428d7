import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogue, findClause } from '../clauses/index.js';
import { FAMILIES } from '../clauses/catalogue.js';
import { TARGETS, type TargetRegistry } from '../targets/index.js';
import { ROOT } from './project-files.js';

interface ListedTest {
  readonly name: string;
  readonly file: string;
}

/** How long one listing may take: it collects every spec file, minutes on a busy 2-core machine. */
const LIST_TIMEOUT_MS = 600_000;

const TITLE = /^\[([A-Z]+-\d+)\] (MUST|SHOULD|MAY) \S/;

/**
 * The conformance tests vitest collects for a target, without running them. Listing runs the
 * global setup, which probes the target: a stub probe stands in, since no daemon or command
 * needs to exist to list the suite.
 */
async function listConformanceTests(target: string): Promise<ListedTest[]> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-list-'));
  try {
    const out = join(dir, 'list.json');
    await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/vitest'),
      ['list', '--project', 'conformance', `--json=${out}`],
      {
        cwd: ROOT,
        // Never outlive the hook: a listing still running at its deadline is stopped, not leaked.
        timeout: LIST_TIMEOUT_MS,
        env: {
          ...process.env,
          BERTH_TARGET: target,
          BERTH_TARGET_PROBE: JSON.stringify({ description: 'listing only', facts: {} }),
        },
      },
    );
    return JSON.parse(await readFile(out, 'utf8')) as ListedTest[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The test's own title: the last segment of vitest's `describe > ... > title` name. */
const ownTitle = (test: ListedTest): string => test.name.split(' > ').at(-1) ?? test.name;

describe('clause coverage', () => {
  const listed = new Map<string, ListedTest[]>();
  let targets: string[] = [];

  // Listing collects every spec file in a child vitest: seconds on a loaded 2-core machine.
  beforeAll(async () => {
    // Every target of the registry but those launched from a command (they cannot be created
    // without one, and run the reference's specs with fewer facets and no kinds of their own, so
    // listing them adds no title); the docker target has kinds (real) the reference lacks.
    targets = Object.values(TARGETS as TargetRegistry)
      .filter((definition) => definition.options.command === undefined)
      .map((definition) => definition.name);
    const lists = await Promise.all(targets.map((target) => listConformanceTests(target)));
    targets.forEach((target, index) => listed.set(target, lists[index]!));
  }, LIST_TIMEOUT_MS + 10_000);

  it('collects conformance tests for the reference and docker targets', () => {
    expect(targets, 'targets').toContain('reference');
    for (const target of targets) expect(listed.get(target)?.length ?? 0, target).toBeGreaterThan(0);
  });

  it('names a catalogue clause, with its level, in every conformance test title', () => {
    const wrong = [...listed.values()].flat().flatMap((test) => {
      const title = ownTitle(test);
      const match = TITLE.exec(title);
      if (match === null) return [`${test.file}: '${title}' does not start with [ID] LEVEL`];
      const clause = findClause(match[1]!);
      if (clause === undefined)
        return [`${test.file}: '${title}' names ${match[1]}, which is not in the catalogue`];
      if (clause.level !== match[2])
        return [`${test.file}: '${title}' says ${match[2]}, the catalogue says ${clause.level}`];
      return [];
    });
    expect(wrong).toEqual([]);
  });

  it('gives every catalogue clause a test, or a pending reason, but not both', () => {
    const tested = new Set([...listed.values()].flat().map((test) => TITLE.exec(ownTitle(test))?.[1]));
    const untested = catalogue.filter(
      (c) => c.pending === undefined && c.retired === undefined && !tested.has(c.id),
    );
    const stalePending = catalogue.filter((c) => c.pending !== undefined && tested.has(c.id));
    const retiredTested = catalogue.filter((c) => c.retired !== undefined && tested.has(c.id));
    expect(untested.map((c) => `${c.id} has no test and no pending reason`)).toEqual([]);
    expect(stalePending.map((c) => `${c.id} has a test but is still marked pending`)).toEqual([]);
    expect(retiredTested.map((c) => `${c.id} is retired but still tested`)).toEqual([]);
  });

  it('reaches every clause family with some target of the registry', () => {
    const reached = new Set(
      Object.values(TARGETS as TargetRegistry).flatMap((definition) => definition.families),
    );
    expect(FAMILIES.map((family) => family.prefix).filter((prefix) => !reached.has(prefix))).toEqual([]);
    expect(TARGETS.reference.families).toEqual(FAMILIES.map((family) => family.prefix));
  });

  it('points every expectations-ledger entry at a real test of its target', () => {
    const stale = Object.values(TARGETS as TargetRegistry).flatMap(
      ({ name: target, expectations: ledger }) => {
        const titles = (listed.get(target) ?? []).map(ownTitle);
        const ledgerEntries: readonly { clause: string; title?: string }[] = ledger;
        if (ledgerEntries.length > 0 && !listed.has(target)) return [`${target}: its ledger is not checked`];
        return ledgerEntries
          .filter(
            (entry) =>
              !titles.some(
                (title) =>
                  title.startsWith(`[${entry.clause}] `) &&
                  (entry.title === undefined || title.includes(entry.title)),
              ),
          )
          .map(
            (entry) => `${target}: ${entry.clause}${entry.title ? ` '${entry.title}'` : ''} matches no test`,
          );
      },
    );
    expect(stale).toEqual([]);
  });
});
