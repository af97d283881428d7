import type { Duplex } from 'node:stream';
import type { Connector, Role } from '../../protocol/connector.js';

/**
 * How the suite reaches what it checks. A target offers facets; a clause asks for the facet it
 * needs with `use(...)` and is `disabled` (not failed) on a target that lacks it.
 */
export interface Target extends AsyncDisposable {
  readonly name: string;
  /** One line for reports: what is under test and how it is reached. */
  readonly description: string;
  /** Guest connectors (vsock in products, sockets or memory here): the VSK clauses. */
  readonly transport?: TransportFacet;
}

export type FacetName = 'transport';

/** The guest end of a link: receives each accepted connection. */
export type GuestHandler = (socket: Duplex) => void;

/**
 * A guest for a transport link: a handler, `absent` (nothing listens: connects are refused) or
 * `unresponsive` (connects never complete: the connector's timeout must fire).
 */
export type GuestBehaviour = GuestHandler | 'absent' | 'unresponsive';

export interface TransportLinkOptions {
  /** The connector's connect timeout, for clauses that wait for it. */
  readonly connectTimeoutMs?: number;
}

export interface TransportFacet {
  /** The kinds of connector the target offers (`memory`, `unix`, ...); clauses run once per kind. */
  readonly kinds: readonly string[];
  /** Builds a connector of `kind` whose single role leads to `guest`. */
  open(kind: string, guest: GuestBehaviour, options?: TransportLinkOptions): Promise<TransportLink>;
  /** Closes a guest-side connection abortively (a reset, not a FIN). */
  reset(guestSocket: Duplex): void;
}

export interface TransportLink extends AsyncDisposable {
  readonly connector: Connector;
  readonly role: Role;
  /** Connections the guest has accepted so far. */
  accepted(): number;
}
