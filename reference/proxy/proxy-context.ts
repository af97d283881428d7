import type { Duplex } from 'node:stream';
import type { Connector, Role } from '../../protocol/connector.js';
import type { GuestPool } from './guest-pool.js';
import type { RegistryLike, RoleResolver } from './role-resolver.js';

/** A role and the platforms its guest runs. */
export interface RolePlatforms {
  readonly role: Role;
  readonly platforms: readonly string[];
}

/** What every request handler of one proxy shares. */
export interface ProxyContext {
  readonly connector: Connector;
  /** Keep-alive guest connections for plain forwards. */
  readonly guests: GuestPool;
  readonly registry: RegistryLike;
  readonly resolver: RoleResolver;
  readonly roles: readonly RolePlatforms[];
  readonly defaultRole: Role;
  readonly handshakeTimeoutMs: number;
  /** Guest streams are closed with the proxy, whoever owns them at that moment. */
  trackGuest(guest: Duplex): void;
  /** Unexpected failures (answered 500) and bookkeeping failures (the answer is unchanged). */
  log(message: string, error?: unknown): void;
}
