import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareForEviction, openSnapshotRegistry } from './snapshot-registry.js';

let dir: string;
let clock = 0;
const now = (): number => clock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  clock = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const open = (capacity = 2, path = join(dir, 'nested', 'registry.json')) =>
  openSnapshotRegistry({ path, capacity, now });

describe('openSnapshotRegistry', () => {
  it('answers undefined for an unknown key', async () => {
    expect(await (await open()).get('nope')).toBeUndefined();
  });

  it('returns what was put, without evictions under capacity', async () => {
    const registry = await open();
    expect(await registry.put('a', 'snap-a')).toEqual([]);
    expect(await registry.get('a')).toBe('snap-a');
    expect(registry.holds('snap-a')).toBe(true);
  });

  it('touches on get, so the other entry is evicted', async () => {
    const registry = await open();
    await registry.put('a', 'snap-a');
    clock = 1;
    await registry.put('b', 'snap-b');
    clock = 2;
    await registry.get('a');
    clock = 3;
    expect(await registry.put('c', 'snap-c')).toEqual(['snap-b']);
  });

  it('breaks access-time ties by key, ascending', async () => {
    const registry = await open(2);
    await registry.put('c', 'snap-c');
    await registry.put('b', 'snap-b');
    expect(await registry.put('a', 'snap-a')).toEqual(['snap-a']);
    expect(registry.entries().map((entry) => entry.key)).toEqual(['b', 'c']);
    expect(
      compareForEviction(
        { key: 'x', snapshot: '', accessedAt: 1 },
        { key: 'a', snapshot: '', accessedAt: 2 },
      ),
    ).toBeLessThan(0);
  });

  it('survives a reopen and leaves no temp files', async () => {
    const registry = await open();
    await registry.put('a', 'snap-a');
    const reopened = await open();
    expect(await reopened.get('a')).toBe('snap-a');
    expect((await readdir(join(dir, 'nested'))).sort()).toEqual(['registry.json']);
    const persisted = JSON.parse(await readFile(join(dir, 'nested', 'registry.json'), 'utf8')) as {
      version: number;
    };
    expect(persisted.version).toBe(1);
  });

  it('invalidates once', async () => {
    const registry = await open();
    await registry.put('a', 'snap-a');
    expect(await registry.invalidate('a')).toBe('snap-a');
    expect(await registry.invalidate('a')).toBeUndefined();
    expect(registry.entries()).toEqual([]);
  });

  it('keeps every write when many run at once', async () => {
    const registry = await open(50);
    await Promise.all(Array.from({ length: 20 }, (_, i) => registry.put(`k${i}`, `s${i}`)));
    expect((await open(50)).entries()).toHaveLength(20);
  });

  it('rejects a corrupt file and a bad capacity with typed errors', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{not json');
    await expect(open(2, path)).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_REGISTRY' });
    await writeFile(path, '{"entries":[{"key":1}]}');
    await expect(open(2, path)).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_REGISTRY' });
    await expect(open(0)).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_REGISTRY' });
  });
});
