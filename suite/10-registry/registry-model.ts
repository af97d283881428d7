import type { Role } from '../../protocol/connector.js';
import type { WorkloadLookup } from '../../protocol/workload-registry.js';

const name = (id: string): string => (id.length > 1 && id.startsWith('/') ? id.slice(1) : id);

/**
 * The REG clauses as a plain model: a map of recorded keys and a map of alias -> recorded owner,
 * answering prefix lookups by scanning everything. Written from the clauses, not from any
 * implementation, and deliberately naive.
 */
export class RegistryModel {
  readonly recorded = new Map<string, Role>();
  readonly aliasOwner = new Map<string, string>();

  record(id: string, role: Role): void {
    const key = name(id);
    this.aliasOwner.delete(key); // REG-15
    this.recorded.set(key, role);
  }

  addAlias(canonical: string, alias: string): void {
    const key = name(canonical);
    const owner = this.#ownerOf(key);
    if (owner === undefined) return;
    const wanted = name(alias);
    if (wanted === '' || wanted === key || wanted === owner) return;
    if (this.recorded.has(wanted)) return; // REG-8
    this.aliasOwner.set(wanted, owner);
  }

  renameAlias(canonical: string, alias: string): void {
    const owner = this.#ownerOf(name(canonical));
    if (owner === undefined) return;
    for (const [old, of] of this.aliasOwner) if (of === owner) this.aliasOwner.delete(old);
    const wanted = name(alias);
    if (wanted === '' || wanted === owner || this.recorded.has(wanted)) return;
    this.aliasOwner.set(wanted, owner);
  }

  lookup(id: string): WorkloadLookup {
    const key = name(id);
    const owner = this.#ownerOf(key);
    if (owner !== undefined) return { kind: 'found', role: this.recorded.get(owner)! };
    if (!/^[0-9a-fA-F]{4,63}$/.test(id)) return { kind: 'missing' };
    const roles = new Set<Role>();
    for (const [recorded, role] of this.recorded) {
      if (/^[0-9a-fA-F]{64}$/.test(recorded) && recorded.startsWith(id)) roles.add(role);
    }
    const sorted = [...roles].sort();
    if (sorted.length === 0) return { kind: 'missing' };
    if (sorted.length === 1) return { kind: 'found', role: sorted[0]! };
    return { kind: 'ambiguous', roles: sorted };
  }

  forget(id: string): Role | undefined {
    const key = name(id);
    const role = this.recorded.get(key);
    if (role !== undefined) {
      this.recorded.delete(key);
      for (const [alias, of] of this.aliasOwner) if (of === key) this.aliasOwner.delete(alias);
      return role;
    }
    const owner = this.aliasOwner.get(key);
    if (owner === undefined) return undefined;
    this.aliasOwner.delete(key);
    return this.recorded.get(owner);
  }

  #ownerOf(key: string): string | undefined {
    return this.recorded.has(key) ? key : this.aliasOwner.get(key);
  }
}

/** A lookup answer with ambiguous roles sorted, so answers compare independently of order. */
export function comparableLookup(lookup: WorkloadLookup): WorkloadLookup {
  return lookup.kind === 'ambiguous' ? { kind: 'ambiguous', roles: [...lookup.roles].sort() } : lookup;
}
