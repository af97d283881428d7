import type { Role } from '../../protocol/connector.js';
import type { GuestPool } from './guest-pool.js';
import type { RegistryLike, RoleResolver } from './role-resolver.js';

/** A role and the platforms its guest runs. */
export interface RolePlatforms {
  readonly role: Role;
  readonly platforms: readonly string[];
}

/** What every request handler of one proxy shares. */
export interface ProxyContext {
  /** Guest connections: kept alive for plain forwards, new for upgrades; all closed with the proxy. */
  readonly guests: GuestPool;
  readonly registry: RegistryLike;
  readonly resolver: RoleResolver;
  readonly roles: readonly RolePlatforms[];
  readonly defaultRole: Role;
  readonly handshakeTimeoutMs: number;
  /** Unexpected failures (answered 500) and bookkeeping failures (the answer is unchanged). */
  log(message: string, error?: unknown): void;
}
