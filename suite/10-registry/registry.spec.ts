import type { Role } from '../../protocol/connector.js';
import type { WorkloadLookup, WorkloadRegistryPort } from '../../protocol/workload-registry.js';
import { describe } from 'vitest';
import { clause, type ClauseContext } from '../harness/clause.js';

// Two roles, as in a product with a native VM and an amd64 (Rosetta/QEMU) VM.
const NATIVE: Role = 'native';
const AMD64: Role = 'amd64';

// The upstream tests' fixtures: 64 'a's and 64 'b's.
const CANONICAL_A = 'a'.repeat(64);
const CANONICAL_B = 'b'.repeat(64);

const found = (role: Role): WorkloadLookup => ({ kind: 'found', role });
const MISSING: WorkloadLookup = { kind: 'missing' };

/** A 64-hex ID: `head`, then `fill` up to 64 characters. */
const id = (head: string, fill = '0'): string => head + fill.repeat(64 - head.length);

/** A fresh registry from the target; the ambiguous roles come back sorted, so order is free. */
async function freshRegistry(use: ClauseContext['use']): Promise<{
  registry: WorkloadRegistryPort;
  lookup: (key: string) => Promise<WorkloadLookup>;
}> {
  const registry = await use('registry').create();
  return {
    registry,
    async lookup(key) {
      const answer = await registry.lookup(key);
      return answer.kind === 'ambiguous' ? { kind: 'ambiguous', roles: [...answer.roles].sort() } : answer;
    },
  };
}

describe('workload registry', () => {
  // Upstream test: lookup_returns_none_for_unknown_id.
  clause('REG-1', 'answers missing for any identifier on a fresh registry', async ({ use, expect }) => {
    const { lookup } = await freshRegistry(use);
    for (const key of ['missing', '', CANONICAL_A, CANONICAL_A.slice(0, 12), 'web', '/web']) {
      expect(await lookup(key), key).toEqual(MISSING);
    }
  });

  // Upstream test: record_then_lookup_returns_stored_role.
  clause('REG-2', 'resolves a recorded key of any shape to its role', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record('abc', AMD64);
    await registry.record('not hex at all', NATIVE);
    await registry.record(CANONICAL_A, NATIVE);
    expect(await lookup('abc')).toEqual(found(AMD64));
    expect(await lookup('not hex at all')).toEqual(found(NATIVE));
    expect(await lookup(CANONICAL_A)).toEqual(found(NATIVE));
  });

  // Upstream test: record_overwrites_existing_role.
  clause('REG-3', 'lets the last record of a key win', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record('abc', NATIVE);
    await registry.record('abc', AMD64);
    expect(await lookup('abc')).toEqual(found(AMD64));
    await registry.record('abc', AMD64);
    expect(await lookup('abc')).toEqual(found(AMD64));
    expect(await registry.forget('abc')).toBe(AMD64);
    expect(await lookup('abc')).toEqual(MISSING);
  });

  clause('REG-3', 'keeps aliases when a canonical is recorded again', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, 'web');
    await registry.record(CANONICAL_A, NATIVE);
    expect(await lookup('web')).toEqual(found(NATIVE));
  });

  // Upstream copies the role into the alias when it is added, so after this sequence `web` still
  // said native while the container said amd64 (REG-4, P-A3).
  clause('REG-4', "moves aliases with their canonical's new role", async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, 'web');
    await registry.record(CANONICAL_A, AMD64);
    expect(await lookup(CANONICAL_A)).toEqual(found(AMD64));
    expect(await lookup('web')).toEqual(found(AMD64));
  });

  // Upstream test: add_alias_is_noop_without_canonical_record.
  clause('REG-5', 'ignores an alias for an unrecorded canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.addAlias(CANONICAL_A, 'ghost');
    expect(await lookup('ghost')).toEqual(MISSING);
  });

  clause('REG-5', 'ignores an alias for a canonical named only by a prefix', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A.slice(0, 12), 'web');
    expect(await lookup('web')).toEqual(MISSING);
  });

  clause('REG-5', 'ignores an empty alias and an alias equal to its canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, '');
    await registry.addAlias(CANONICAL_A, CANONICAL_A);
    expect(await lookup('')).toEqual(MISSING);
    // Had the self-alias been bound, forgetting it as an alias would have left the canonical alone.
    expect(await registry.forget(CANONICAL_A)).toBe(NATIVE);
    expect(await lookup(CANONICAL_A)).toEqual(MISSING);
  });

  // Upstream test: alias_lookup_returns_canonical_role.
  clause('REG-6', "resolves an alias to its canonical's role", async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, AMD64);
    await registry.addAlias(CANONICAL_A, 'web');
    expect(await lookup('web')).toEqual(found(AMD64));
  });

  // Upstream test: alias_reassignment_survives_old_owner_forget.
  clause(
    'REG-6',
    'moves an alias to its new owner and keeps it past forgetting the old one',
    async ({ use, expect }) => {
      const { registry, lookup } = await freshRegistry(use);
      await registry.record(CANONICAL_A, NATIVE);
      await registry.addAlias(CANONICAL_A, 'web');
      await registry.record(CANONICAL_B, AMD64);
      await registry.addAlias(CANONICAL_B, 'web');
      expect(await lookup('web')).toEqual(found(AMD64));
      await registry.forget(CANONICAL_A);
      expect(await lookup('web')).toEqual(found(AMD64));
      await registry.forget(CANONICAL_B);
      expect(await lookup('web')).toEqual(MISSING);
    },
  );

  // Upstream test: duplicate_alias_for_same_canonical_is_deduped.
  clause('REG-6', 'keeps one binding for an alias added twice', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, 'web');
    await registry.addAlias(CANONICAL_A, 'web');
    await registry.forget(CANONICAL_A);
    expect(await lookup('web')).toEqual(MISSING);
    expect(await lookup(CANONICAL_A)).toEqual(MISSING);
  });

  // Upstream checks only that the canonical is a key, so `web2` became owned by the alias `web`
  // and dangled after forget(A) (REG-7).
  clause('REG-7', 'attaches an alias added through an alias to the canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, 'web');
    await registry.addAlias('web', 'web2');
    expect(await lookup('web2')).toEqual(found(NATIVE));
    await registry.forget('web');
    expect(await lookup('web2'), 'web2 belongs to A, not to web').toEqual(found(NATIVE));
    await registry.forget(CANONICAL_A);
    expect(await lookup('web2')).toEqual(MISSING);
  });

  clause('REG-7', 'renames through an alias as through its canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, AMD64);
    await registry.addAlias(CANONICAL_A, 'web');
    await registry.renameAlias('web', 'web-new');
    expect(await lookup('web')).toEqual(MISSING);
    expect(await lookup('web-new')).toEqual(found(AMD64));
    await registry.forget(CANONICAL_A);
    expect(await lookup('web-new')).toEqual(MISSING);
  });

  // Upstream overwrote B's role with A's, and a later forget(A) deleted B's binding (REG-8).
  clause('REG-8', 'refuses an alias equal to another canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.record(CANONICAL_B, AMD64);
    await registry.addAlias(CANONICAL_A, CANONICAL_B);
    expect(await lookup(CANONICAL_B)).toEqual(found(AMD64));
    await registry.forget(CANONICAL_A);
    expect(await lookup(CANONICAL_B)).toEqual(found(AMD64));
  });

  clause('REG-8', 'refuses an alias or a rename onto an exec ID', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    const exec = id('e7ec');
    await registry.record(CANONICAL_A, NATIVE);
    await registry.record(exec, AMD64);
    await registry.addAlias(CANONICAL_A, exec);
    await registry.renameAlias(CANONICAL_A, exec);
    expect(await lookup(exec)).toEqual(found(AMD64));
    await registry.forget(CANONICAL_A);
    expect(await lookup(exec)).toEqual(found(AMD64));
  });

  // Upstream test: rename_alias_drops_old_and_adds_new.
  clause('REG-9', 'replaces the old alias with the new one on rename', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, 'old-name');
    await registry.addAlias(CANONICAL_A, 'other-name');
    await registry.renameAlias(CANONICAL_A, 'new-name');
    expect(await lookup('old-name')).toEqual(MISSING);
    expect(await lookup('other-name')).toEqual(MISSING);
    expect(await lookup('new-name')).toEqual(found(NATIVE));
    expect(await lookup(CANONICAL_A)).toEqual(found(NATIVE));
  });

  // Upstream test: rename_alias_steals_from_previous_owner.
  clause('REG-9', 'takes the new name from its previous owner on rename', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.record(CANONICAL_B, AMD64);
    await registry.addAlias(CANONICAL_B, 'web');
    await registry.renameAlias(CANONICAL_A, 'web');
    expect(await lookup('web')).toEqual(found(NATIVE));
    await registry.forget(CANONICAL_B);
    expect(await lookup('web')).toEqual(found(NATIVE));
  });

  clause(
    'REG-9',
    'leaves no alias after a rename to nothing or to the canonical',
    async ({ use, expect }) => {
      const { registry, lookup } = await freshRegistry(use);
      await registry.record(CANONICAL_A, NATIVE);
      await registry.addAlias(CANONICAL_A, 'web');
      await registry.renameAlias(CANONICAL_A, '');
      expect(await lookup('web')).toEqual(MISSING);
      await registry.addAlias(CANONICAL_A, 'db');
      await registry.renameAlias(CANONICAL_A, CANONICAL_A);
      expect(await lookup('db')).toEqual(MISSING);
      expect(await lookup(CANONICAL_A)).toEqual(found(NATIVE));
    },
  );

  clause('REG-9', 'does nothing on a rename of an unknown canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_B, AMD64);
    await registry.addAlias(CANONICAL_B, 'web');
    await registry.renameAlias(CANONICAL_A, 'web');
    expect(await lookup('web')).toEqual(found(AMD64));
    expect(await lookup(CANONICAL_A)).toEqual(MISSING);
  });

  // Upstream test: short_hex_prefix_resolves_to_canonical_role.
  clause('REG-10', 'resolves 12- and 4-character prefixes of a canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, AMD64);
    expect(await lookup(CANONICAL_A.slice(0, 12))).toEqual(found(AMD64));
    expect(await lookup(CANONICAL_A.slice(0, 4))).toEqual(found(AMD64));
    expect(await lookup(CANONICAL_A.slice(0, 63))).toEqual(found(AMD64));
  });

  // Upstream test: prefix_picks_correct_canonical_among_many.
  clause('REG-10', 'picks the canonical a prefix names among many', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.record(CANONICAL_B, AMD64);
    expect(await lookup(CANONICAL_B.slice(0, 8))).toEqual(found(AMD64));
    expect(await lookup(CANONICAL_A.slice(0, 8))).toEqual(found(NATIVE));
  });

  // Upstream test: cross_role_prefix_collision_is_ambiguous.
  clause('REG-10', 'reports a prefix shared across roles as ambiguous', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(id('abcd', '1'), NATIVE);
    await registry.record(id('abcd', '2'), AMD64);
    expect(await lookup('abcd')).toEqual({ kind: 'ambiguous', roles: [AMD64, NATIVE] });
    expect(await lookup('abcd1')).toEqual(found(NATIVE));
  });

  // Upstream test: same_role_prefix_collision_resolves.
  clause('REG-10', 'resolves a prefix shared within one role', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(id('deed', '1'), AMD64);
    await registry.record(id('deed', '2'), AMD64);
    expect(await lookup('deed')).toEqual(found(AMD64));
  });

  clause('REG-10', 'prefers an exact key over a prefix match', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(id('beef', '1'), NATIVE);
    await registry.record(id('beef', '2'), AMD64);
    await registry.record('beef', AMD64);
    expect(await lookup('beef')).toEqual(found(AMD64));
    expect(await lookup('beef1')).toEqual(found(NATIVE));
  });

  // Upstream test: short_prefix_does_not_match_non_canonical_keys.
  clause(
    'REG-11',
    'never prefix-matches three characters or a key shorter than 64',
    async ({ use, expect }) => {
      const { registry, lookup } = await freshRegistry(use);
      await registry.record('abcd', AMD64);
      expect(await lookup('abc')).toEqual(MISSING);
      await registry.record(CANONICAL_A, NATIVE);
      expect(await lookup('aaa')).toEqual(MISSING);
      await registry.record('abcdef', NATIVE);
      expect(await lookup('abcde')).toEqual(MISSING);
    },
  );

  // Upstream test: non_hex_strings_skip_prefix_scan.
  clause('REG-11', 'never prefix-matches a non-hex name', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, AMD64);
    expect(await lookup('alpine')).toEqual(MISSING);
    expect(await lookup('aaaa-')).toEqual(MISSING);
  });

  clause(
    'REG-11',
    'matches full-length IDs exactly and prefixes case-sensitively',
    async ({ use, expect }) => {
      const { registry, lookup } = await freshRegistry(use);
      await registry.record(id('abcd', '1'), NATIVE);
      expect(await lookup(id('abcd', '2')), 'an unrecorded 64-hex ID').toEqual(MISSING);
      expect(await lookup(id('abcd', '1') + '0'), 'a 65-character extension').toEqual(MISSING);
      expect(await lookup('ABCD'), 'upper case does not match a lower-case ID').toEqual(MISSING);
      expect(await lookup('abcd')).toEqual(found(NATIVE));
    },
  );

  // Upstream scanned every 64-hex key, aliases included; a name is never a short-ID candidate in
  // Docker, so here only recorded keys (containers and exec IDs) take part (REG-12).
  clause(
    'REG-12',
    'makes a prefix ambiguous when an exec ID on another role shares it',
    async ({ use, expect }) => {
      const { registry, lookup } = await freshRegistry(use);
      await registry.record(id('c0de', '1'), NATIVE);
      await registry.record(id('c0de', '2'), AMD64); // an exec ID created on the amd64 VM
      expect(await lookup('c0de')).toEqual({ kind: 'ambiguous', roles: [AMD64, NATIVE] });
    },
  );

  clause('REG-12', 'leaves aliases out of prefix matching', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(id('c0de', '1'), NATIVE);
    await registry.record(CANONICAL_B, AMD64);
    await registry.addAlias(CANONICAL_B, id('c0de', '2'));
    expect(await lookup(id('c0de', '2'))).toEqual(found(AMD64));
    expect(await lookup('c0de')).toEqual(found(NATIVE));
  });

  // Upstream test: forget_removes_record_and_returns_previous.
  clause('REG-13', 'removes a record and returns its role', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record('abc', NATIVE);
    expect(await registry.forget('abc')).toBe(NATIVE);
    expect(await lookup('abc')).toEqual(MISSING);
  });

  // Upstream test: forget_canonical_drops_aliases.
  clause('REG-13', 'drops the aliases of a forgotten canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, AMD64);
    await registry.addAlias(CANONICAL_A, 'web');
    await registry.addAlias(CANONICAL_A, 'frontend');
    expect(await registry.forget(CANONICAL_A)).toBe(AMD64);
    expect(await lookup('web')).toEqual(MISSING);
    expect(await lookup('frontend')).toEqual(MISSING);
  });

  // Upstream test: forget_alias_only_removes_alias.
  clause('REG-13', 'forgets an alias and leaves its canonical', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, 'web');
    expect(await registry.forget('web')).toBe(NATIVE);
    expect(await lookup('web')).toEqual(MISSING);
    expect(await lookup(CANONICAL_A)).toEqual(found(NATIVE));
    expect(await registry.forget(CANONICAL_A)).toBe(NATIVE);
  });

  clause('REG-13', 'forgets by exact key only, and harmlessly twice', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    expect(await registry.forget(CANONICAL_A.slice(0, 12))).toBeUndefined();
    expect(await lookup(CANONICAL_A)).toEqual(found(NATIVE));
    expect(await registry.forget('unknown')).toBeUndefined();
    expect(await registry.forget(CANONICAL_A)).toBe(NATIVE);
    expect(await registry.forget(CANONICAL_A)).toBeUndefined();
  });

  clause('REG-14', 'loses no update among operations issued concurrently', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    const count = 200;
    const ids = Array.from({ length: count }, (_, n) => id(n.toString(16).padStart(4, '0'), 'f'));
    await Promise.all(
      ids.map(async (canonical, n) => {
        await registry.record(canonical, n % 2 === 0 ? NATIVE : AMD64);
        await registry.addAlias(canonical, `c-${n}`);
        if (n % 4 === 0) await registry.renameAlias(canonical, `renamed-${n}`);
        if (n % 8 === 1) await registry.forget(canonical);
      }),
    );
    const wrong: string[] = [];
    for (const [n, canonical] of ids.entries()) {
      const role = n % 2 === 0 ? NATIVE : AMD64;
      const gone = n % 8 === 1;
      const expected: [string, WorkloadLookup][] = [
        [canonical, gone ? MISSING : found(role)],
        [`c-${n}`, gone || n % 4 === 0 ? MISSING : found(role)],
        [`renamed-${n}`, n % 4 === 0 ? found(role) : MISSING],
      ];
      for (const [key, answer] of expected) {
        const actual = await lookup(key);
        if (JSON.stringify(actual) !== JSON.stringify(answer))
          wrong.push(`${key}: ${JSON.stringify(actual)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  // Upstream left `alias_owner` pointing at the old owner, so forgetting it deleted the
  // re-recorded key (P-A6).
  clause('REG-15', 'detaches a re-recorded alias from its old owner', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, 'web');
    await registry.record('web', AMD64);
    await registry.renameAlias(CANONICAL_A, 'db');
    expect(await lookup('web')).toEqual(found(AMD64));
    await registry.forget(CANONICAL_A);
    expect(await lookup('web')).toEqual(found(AMD64));
    expect(await lookup('db')).toEqual(MISSING);
  });

  // Upstream kept "/web" and "web" apart although Docker treats them as one name (P-A4).
  clause('REG-16', 'treats a name with a leading slash as the same name', async ({ use, expect }) => {
    const { registry, lookup } = await freshRegistry(use);
    await registry.record(CANONICAL_A, NATIVE);
    await registry.addAlias(CANONICAL_A, '/web');
    expect(await lookup('web')).toEqual(found(NATIVE));
    expect(await lookup('/web')).toEqual(found(NATIVE));
    await registry.renameAlias(CANONICAL_A, 'db');
    expect(await lookup('/db')).toEqual(found(NATIVE));
    expect(await lookup('/web')).toEqual(MISSING);
    expect(await registry.forget('/db')).toBe(NATIVE);
    expect(await lookup('db')).toEqual(MISSING);
  });
});
