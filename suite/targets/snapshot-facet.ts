import type { SnapshotExecutor } from '../../reference/snapshot/snapshot-executor.js';
import type { SnapshotRegistry } from '../../reference/snapshot/snapshot-registry.js';
import type { SnapshotLabel, VmBackend } from '../../reference/snapshot/snapshot-types.js';

export type {
  Action,
  CachingPolicy,
  ExecutionResult,
  OutputSink,
  SnapshotId,
  SnapshotLabel,
  Vm,
  VmBackend,
} from '../../reference/snapshot/snapshot-types.js';

/** Where a snapshot session reaches a Docker Engine API. */
export type SnapshotEndpoint =
  /** A fresh simulated dockerd the target starts (and stops with the session). */
  | { readonly kind: 'simulated' }
  /**
   * A real daemon (`unix:///...` or `tcp://host:port`); the session only touches what it labels.
   * `baseImage` defaults to `local/busybox:1`.
   */
  | { readonly kind: 'real'; readonly dockerHost: string; readonly baseImage?: string };

/** An endpoint the SNP area runs its clauses over, once each. */
export interface SnapshotEndpointOffer {
  /** How the area titles the endpoint's block (`simulated dockerd`, `real dockerd`, ...). */
  readonly name: string;
  readonly endpoint: SnapshotEndpoint;
}

/** Containers and images that carry a session's label. */
export interface SnapshotLeftovers {
  readonly containers: readonly string[];
  readonly images: readonly string[];
}

export interface SessionExecutor extends SnapshotExecutor {
  readonly registry: SnapshotRegistry;
  /** The JSON file the registry persists to. */
  readonly registryPath: string;
}

export interface SnapshotSession extends AsyncDisposable {
  /** One line for reports: which endpoint this is. */
  readonly description: string;
  /** An image present on the endpoint with `/bin/sh` and busybox applets. */
  readonly baseImage: string;
  /** A backend whose containers (and so snapshots) carry the session's label. */
  readonly backend: VmBackend;
  /**
   * Fails the next container start (true on endpoints that can inject that fault); resolves with
   * whether the fault was armed.
   */
  failNextStart(): Promise<boolean>;
  /** An executor over `backend` with a fresh registry of `capacity` entries in a temp directory. */
  executor(options: {
    readonly capacity: number;
    readonly registryPath?: string;
    /** The registry's clock (milliseconds); default Date.now. */
    readonly now?: () => number;
  }): Promise<SessionExecutor>;
  /** Builds a labelled image from `baseImage` whose ENTRYPOINT is `entrypoint` (remove it with the backend). */
  imageWithEntrypoint(entrypoint: readonly string[]): Promise<string>;
  /** What still carries the session's label on the endpoint (the leak check of the area). */
  leftovers(): Promise<SnapshotLeftovers>;
}

export interface SnapshotFacet {
  /** The endpoints the SNP area runs over, in order. */
  readonly endpoints: readonly SnapshotEndpointOffer[];
  open(endpoint: SnapshotEndpoint): Promise<SnapshotSession>;
  /**
   * A backend over any Docker API socket (for scripted daemons); nothing is labelled or cleaned.
   * A target that checks the backend over its own daemon only rejects with
   * TargetCannotConfigureError (the clause is then disabled).
   */
  connect(socketPath: string): Promise<VmBackend>;
  /** P-E7: the cached key a step gets (always a valid lower-case reference). */
  buildCacheKey(stepKey: string, cacheKey: string): string;
  /** SNP-6, P-E7: the repository and tag a snapshot is committed as. */
  snapshotTarget(
    label: SnapshotLabel,
    containerId: string,
  ): { readonly repository: string; readonly tag: string };
}
