import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SnapshotRegistryError } from './snapshot-errors.js';
import type { SnapshotId } from './snapshot-types.js';

export interface RegistryEntry {
  readonly key: string;
  readonly snapshot: SnapshotId;
  /** When the entry was last put or read (the clock's milliseconds). */
  readonly accessedAt: number;
}

export interface SnapshotRegistryOptions {
  /** The JSON file the registry persists to; its directory is created. */
  readonly path: string;
  /** Most entries kept; a put beyond it evicts the least recently used. */
  readonly capacity: number;
  /** Default Date.now. */
  readonly now?: () => number;
}

/** An LRU map from cache keys to snapshots, persisted atomically after every change. */
export interface SnapshotRegistry {
  /** The snapshot of `key`, touching its access time. */
  get(key: string): Promise<SnapshotId | undefined>;
  /** Inserts or replaces `key`, then evicts the overflow; resolves with the evicted snapshots. */
  put(key: string, snapshot: SnapshotId): Promise<SnapshotId[]>;
  /** Removes `key`; resolves with its snapshot, if it had one. */
  invalidate(key: string): Promise<SnapshotId | undefined>;
  /** True when some entry still points at `snapshot`. */
  holds(snapshot: SnapshotId): boolean;
  entries(): readonly RegistryEntry[];
}

interface PersistedRegistry {
  readonly version: 1;
  readonly entries: readonly RegistryEntry[];
}

/** P-E8: least recently used first; equal times are broken by key, ascending. */
export function compareForEviction(a: RegistryEntry, b: RegistryEntry): number {
  if (a.accessedAt !== b.accessedAt) return a.accessedAt - b.accessedAt;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function isEntry(value: unknown): value is RegistryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.key === 'string' &&
    typeof entry.snapshot === 'string' &&
    typeof entry.accessedAt === 'number'
  );
}

async function load(path: string): Promise<RegistryEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SnapshotRegistryError(path, 'cannot be read', { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SnapshotRegistryError(path, 'is not JSON', { cause: error });
  }
  const entries = (parsed as Partial<PersistedRegistry> | null)?.entries;
  if (!Array.isArray(entries) || !entries.every(isEntry)) {
    throw new SnapshotRegistryError(path, 'has no valid entries list');
  }
  return entries;
}

/** Opens (or creates) the registry at `options.path`. */
export async function openSnapshotRegistry(options: SnapshotRegistryOptions): Promise<SnapshotRegistry> {
  const { path, capacity } = options;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new SnapshotRegistryError(path, `capacity must be a positive integer, not ${capacity}`);
  }
  const now = options.now ?? Date.now;
  await mkdir(dirname(path), { recursive: true });
  const table = new Map<string, RegistryEntry>((await load(path)).map((entry) => [entry.key, entry]));
  let writes: Promise<void> = Promise.resolve();

  /** Writes a temp file beside the target, then renames it over: readers never see half a file. */
  const persist = (): Promise<void> => {
    const snapshot: PersistedRegistry = { version: 1, entries: [...table.values()].sort(compareForEviction) };
    const next = writes.then(async () => {
      const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, JSON.stringify(snapshot, null, 2) + '\n');
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        throw new SnapshotRegistryError(path, 'cannot be written', { cause: error });
      }
    });
    writes = next.catch(() => undefined);
    return next;
  };

  return {
    async get(key) {
      const entry = table.get(key);
      if (entry === undefined) return undefined;
      table.set(key, { ...entry, accessedAt: now() });
      await persist();
      return entry.snapshot;
    },
    async put(key, snapshot) {
      table.set(key, { key, snapshot, accessedAt: now() });
      const evicted: SnapshotId[] = [];
      const order = [...table.values()].sort(compareForEviction);
      for (const entry of order.slice(0, Math.max(0, order.length - capacity))) {
        table.delete(entry.key);
        evicted.push(entry.snapshot);
      }
      await persist();
      return evicted;
    },
    async invalidate(key) {
      const entry = table.get(key);
      if (entry === undefined) return undefined;
      table.delete(key);
      await persist();
      return entry.snapshot;
    },
    holds: (snapshot) => [...table.values()].some((entry) => entry.snapshot === snapshot),
    entries: () => [...table.values()].sort(compareForEviction),
  };
}
