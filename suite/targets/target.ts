import { BerthError } from '../../protocol/errors.js';
import type { Duplex } from 'node:stream';
import type { Connector, Role } from '../../protocol/connector.js';
import type { WorkloadRegistryPort } from '../../protocol/workload-registry.js';
import type { DispatchFacet } from './dispatch-facet.js';
import type { EngineFacet } from './engine-facet.js';
import type { SnapshotFacet } from './snapshot-facet.js';

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
  /** A workload registry (REG clauses): a fresh, empty one per call. */
  readonly registry?: RegistryFacet;
  /** A Docker API proxy in front of guests the suite provides (HND, UPG clauses). */
  readonly proxy?: ProxyFacet;
  /** A composite runtime over runtimes the suite provides (CMP clauses). */
  readonly dispatch?: DispatchFacet;
  /** A snapshot backend over a Docker Engine API endpoint (SNP clauses). */
  readonly snapshot?: SnapshotFacet;
  /** Docker Engine API endpoints: a daemon, or a proxy in front of one (DKR clauses). */
  readonly engine?: EngineFacet;
}

export type FacetName = 'transport' | 'registry' | 'proxy' | 'dispatch' | 'snapshot' | 'engine';

export type { TargetOptions } from '../../reports/model/target-options.js';

/** What a target found when it was probed before the run (written into results.json). */
export interface TargetProbe {
  /** One line: what is under test and how it is reached. */
  readonly description: string;
  /** Facts the probe gathered (daemon version, driver name, ...): JSON values only. */
  readonly facts: Readonly<Record<string, unknown>>;
}

/**
 * A request the target cannot express for this clause (for example a handshake deadline a
 * third-party command line has no placeholder for). The clause is `disabled` with this reason.
 */
export class TargetCannotConfigureError extends BerthError {
  readonly code = 'ERR_TARGET_CANNOT_CONFIGURE';
}

export interface RegistryFacet {
  create(): Promise<WorkloadRegistryPort>;
}

/** One role of a proxy: its guest (a unix socket the suite serves) and the platforms it runs. */
export interface ProxyRoleConfig {
  readonly role: Role;
  /** Absolute path of the guest's unix socket. */
  readonly guest: string;
  /** Platforms this role runs (`linux/amd64`, ...); creates asking for one route here. */
  readonly platforms?: readonly string[];
}

export interface ProxyStartOptions {
  readonly roles: readonly ProxyRoleConfig[];
  /** The role for requests that name no workload and for unknown workloads. */
  readonly defaultRole: Role;
  /** Deadline for a guest's answer to an upgrade (UPG); default 5000 ms. */
  readonly handshakeTimeoutMs?: number;
}

export interface RunningProxy extends AsyncDisposable {
  /** Absolute path of the unix socket the proxy serves the Docker API on. */
  readonly socketPath: string;
}

export interface ProxyFacet {
  start(options: ProxyStartOptions): Promise<RunningProxy>;
}

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
