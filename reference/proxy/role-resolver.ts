import type { Connector, Role } from '../../protocol/connector.js';
import type { WorkloadLookup } from '../../protocol/workload-registry.js';
import { fetchFromGuest } from './fetch-from-guest.js';
import { AmbiguousWorkloadError } from './proxy-errors.js';

/** The registry operations the proxy uses (the reference registry implements them synchronously). */
export interface RegistryLike {
  record(id: string, role: Role): unknown;
  addAlias(canonical: string, alias: string): unknown;
  renameAlias(canonical: string, alias: string): unknown;
  lookup(id: string): WorkloadLookup | Promise<WorkloadLookup>;
  forget(id: string): unknown;
}

export interface RoleResolverOptions {
  readonly registry: RegistryLike;
  readonly connector: Connector;
  readonly roles: readonly Role[];
  readonly defaultRole: Role;
  /** Deadline of each probe (HND-8). */
  readonly probeTimeoutMs: number;
}

/** What a guest's inspect says about a container it has. */
export interface InspectedContainer {
  readonly id: string;
  /** The name without its leading "/", when the inspect had one. */
  readonly name: string | undefined;
}

function parseInspect(body: Buffer): InspectedContainer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { Id: id, Name: name } = parsed as { Id?: unknown; Name?: unknown };
  if (typeof id !== 'string' || id === '') return undefined;
  return { id, name: typeof name === 'string' && name !== '' ? name.replace(/^\//, '') : undefined };
}

/**
 * HND-7..HND-10 for several roles: the registry first, then (for containers) a lazy rebuild that
 * asks every configured guest in parallel.
 */
export class RoleResolver {
  readonly #options: RoleResolverOptions;

  constructor(options: RoleResolverOptions) {
    this.#options = options;
  }

  /** HND-7: the role of a container named by ID, short ID or name. */
  async containerRole(identifier: string): Promise<Role> {
    const known = await this.#options.registry.lookup(identifier);
    if (known.kind === 'found') return known.role;
    if (known.kind === 'ambiguous') throw new AmbiguousWorkloadError(identifier, known.roles);
    return this.#rebuild(identifier);
  }

  /** HND-9: exec IDs are looked up only; unknown ones go to the default role. */
  async execRole(identifier: string): Promise<Role> {
    const known = await this.#options.registry.lookup(identifier);
    if (known.kind === 'found') return known.role;
    if (known.kind === 'ambiguous') throw new AmbiguousWorkloadError(identifier, known.roles);
    return this.#options.defaultRole;
  }

  /** The guest's inspect of a container, or undefined when it does not answer 2xx with an Id. */
  async inspect(role: Role, identifier: string): Promise<InspectedContainer | undefined> {
    try {
      const answer = await fetchFromGuest(
        this.#options.connector,
        role,
        `/containers/${encodeURIComponent(identifier)}/json`,
        { timeoutMs: this.#options.probeTimeoutMs },
      );
      return answer.status >= 200 && answer.status < 300 ? parseInspect(answer.body) : undefined;
    } catch {
      // HND-8: a guest that cannot be asked counts as not having the container.
      return undefined;
    }
  }

  /** HND-8 across every role: exactly one owner is recorded (canonical Id, name alias: P-A2). */
  async #rebuild(identifier: string): Promise<Role> {
    const { roles, registry, defaultRole } = this.#options;
    const found = await Promise.all(
      roles.map(async (role) => ({ role, inspected: await this.inspect(role, identifier) })),
    );
    const owners = found.filter((entry) => entry.inspected !== undefined);
    if (owners.length > 1)
      throw new AmbiguousWorkloadError(
        identifier,
        owners.map((owner) => owner.role),
      );
    const [owner] = owners;
    if (owner?.inspected === undefined) return defaultRole;
    await registry.record(owner.inspected.id, owner.role);
    if (owner.inspected.name !== undefined && owner.inspected.name !== owner.inspected.id) {
      await registry.addAlias(owner.inspected.id, owner.inspected.name);
    }
    return owner.role;
  }
}
