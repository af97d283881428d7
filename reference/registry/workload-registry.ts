import type { Role } from '../../protocol/connector.js';
import type { WorkloadLookup, WorkloadRegistryPort } from '../../protocol/workload-registry.js';
import { SortedKeyIndex } from './sorted-key-index.js';
import { isCanonicalId, isHexShortId, normaliseKey } from './workload-keys.js';

/** A key bound by `record`: a canonical container ID, an exec ID or any other recorded token. */
interface RecordedEntry {
  readonly kind: 'recorded';
  role: Role;
  /** The aliases this key owns, in the order they were added. */
  readonly aliases: Set<string>;
}

/** A key bound by `addAlias`/`renameAlias`: it resolves through its owner, always a recorded key. */
interface AliasEntry {
  readonly kind: 'alias';
  readonly owner: string;
}

type Entry = RecordedEntry | AliasEntry;

const MISSING: WorkloadLookup = Object.freeze({ kind: 'missing' });

/**
 * Maps workload identifiers (container IDs, exec IDs, names and short-ID prefixes) to the role
 * of the utility VM that owns the workload, in memory for the daemon's lifetime.
 *
 * Invariants, kept by every operation:
 * - a key is either recorded or an alias, never both;
 * - an alias's owner is a recorded key whose alias set contains it, and the other way round,
 *   so no alias ever dangles (REG-7, REG-13, REG-15);
 * - `#canonical` holds exactly the recorded keys of canonical shape (64 hex), so prefix lookups
 *   never scan the whole registry (REG-10).
 *
 * Refused operations (REG-5, REG-8, REG-9) are silent no-ops, as upstream: every caller updates
 * the registry after the guest already answered 2xx, where an exception would turn a Docker
 * operation that happened into an error response.
 */
export class WorkloadRegistry implements WorkloadRegistryPort {
  readonly #entries = new Map<string, Entry>();
  readonly #canonical = new SortedKeyIndex();

  /** Number of keys (recorded and aliases) the registry holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** REG-2, REG-3: binds `id` to `role`; the last record wins. */
  record(id: string, role: Role): void {
    const key = normaliseKey(id);
    const entry = this.#entries.get(key);
    if (entry?.kind === 'recorded') {
      // REG-4: the aliases resolve through this entry, so they follow the new role.
      entry.role = role;
      return;
    }
    // REG-15: a key that was an alias leaves its owner before it becomes recorded.
    if (entry?.kind === 'alias') this.#detach(key, entry);
    this.#entries.set(key, { kind: 'recorded', role, aliases: new Set() });
    if (isCanonicalId(key)) this.#canonical.add(key);
  }

  /** REG-5..REG-8: makes `alias` another key for the workload `canonical` names. */
  addAlias(canonical: string, alias: string): void {
    const key = normaliseKey(canonical);
    const owner = this.#ownerOf(key);
    if (owner === undefined) return; // REG-5: only an exact, known key
    this.#bind(owner, key, normaliseKey(alias));
  }

  /** REG-9: replaces every alias of the workload `canonical` names with `alias`. */
  renameAlias(canonical: string, alias: string): void {
    const owner = this.#ownerOf(normaliseKey(canonical));
    if (owner === undefined) return;
    const entry = this.#entries.get(owner) as RecordedEntry;
    for (const old of entry.aliases) this.#entries.delete(old);
    entry.aliases.clear();
    this.#bind(owner, owner, normaliseKey(alias));
  }

  /** REG-10..REG-12: an exact key first, then a short-ID prefix of recorded 64-hex keys. */
  lookup(id: string): WorkloadLookup {
    const entry = this.#entries.get(normaliseKey(id));
    if (entry !== undefined) return { kind: 'found', role: this.#resolve(entry) };
    if (!isHexShortId(id)) return MISSING;
    const roles = new Set<Role>();
    for (const key of this.#canonical.withPrefix(id)) {
      roles.add((this.#entries.get(key) as RecordedEntry).role);
    }
    if (roles.size === 0) return MISSING;
    const [only, ...others] = [...roles].sort();
    if (others.length === 0) return { kind: 'found', role: only! };
    return { kind: 'ambiguous', roles: [only!, ...others] };
  }

  /** REG-13: removes exactly `id` (and a recorded key's aliases); returns the role it resolved to. */
  forget(id: string): Role | undefined {
    const key = normaliseKey(id);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.kind === 'alias') {
      const role = this.#resolve(entry);
      this.#detach(key, entry);
      this.#entries.delete(key);
      return role;
    }
    for (const alias of entry.aliases) this.#entries.delete(alias);
    this.#entries.delete(key);
    this.#canonical.delete(key);
    return entry.role;
  }

  #resolve(entry: Entry): Role {
    if (entry.kind === 'recorded') return entry.role;
    return (this.#entries.get(entry.owner) as RecordedEntry).role;
  }

  /** REG-7: the recorded key behind `key` (itself, or its owner when `key` is an alias). */
  #ownerOf(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    return entry.kind === 'recorded' ? key : entry.owner;
  }

  /** Binds `alias` to the recorded key `owner`, reached through `via` (the key the caller named). */
  #bind(owner: string, via: string, alias: string): void {
    if (alias === '' || alias === owner || alias === via) return; // REG-5, REG-9
    const existing = this.#entries.get(alias);
    if (existing?.kind === 'recorded') return; // REG-8: never shadow a recorded key
    if (existing?.kind === 'alias') {
      if (existing.owner === owner) return; // REG-6: already bound once
      this.#detach(alias, existing); // REG-6, REG-9: steal it from its previous owner
    }
    this.#entries.set(alias, { kind: 'alias', owner });
    (this.#entries.get(owner) as RecordedEntry).aliases.add(alias);
  }

  #detach(alias: string, entry: AliasEntry): void {
    const owner = this.#entries.get(entry.owner) as RecordedEntry;
    owner.aliases.delete(alias);
  }
}

/** A fresh, empty registry. */
export function createWorkloadRegistry(): WorkloadRegistry {
  return new WorkloadRegistry();
}
