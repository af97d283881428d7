import type { Role } from './connector.js';

/** What a registry knows about an identifier (REG-10): one role, nothing, or several roles. */
export type WorkloadLookup =
  | { readonly kind: 'found'; readonly role: Role }
  | { readonly kind: 'missing' }
  | { readonly kind: 'ambiguous'; readonly roles: readonly Role[] };

type Awaitable<T> = T | Promise<T>;

/**
 * The workload registry as the suite reaches it: in-process for the reference, over a driver
 * for other implementations (hence every result may be a promise).
 */
export interface WorkloadRegistryPort {
  record(id: string, role: Role): Awaitable<void>;
  addAlias(canonical: string, alias: string): Awaitable<void>;
  renameAlias(canonical: string, alias: string): Awaitable<void>;
  lookup(id: string): Awaitable<WorkloadLookup>;
  forget(id: string): Awaitable<Role | undefined>;
}
