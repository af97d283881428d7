import type { EngineAddress } from '../support/http/http-call.js';

export type { EngineAddress };

/** Containers and images a session created and did not remove. */
export interface EngineLeftovers {
  /** Container IDs. */
  readonly containers: readonly string[];
  /** Image references under the session's prefix, else image IDs (untagged, labelled images). */
  readonly images: readonly string[];
}

/**
 * One Docker Engine API endpoint opened for a spec file. Everything a clause creates must carry
 * `labels` (containers, and so the images committed from them) or start with `imagePrefix` (image
 * repositories), so the session can clean up only what the run created and leave what was there
 * before alone. `suite/targets/engine-session.ts` implements all of it over any address.
 */
export interface EngineSession extends AsyncDisposable {
  /** One line for reports: what answers at this endpoint. */
  readonly description: string;
  readonly address: EngineAddress;
  /** The endpoint in DOCKER_HOST form (`unix:///...` or `tcp://...`), for the docker CLI. */
  readonly dockerHost: string;
  /** An image present on the endpoint with `/bin/sh` and the busybox applets. */
  readonly baseImage: string;
  /** Labels every container a clause creates must carry. */
  readonly labels: Readonly<Record<string, string>>;
  /** Repository prefix of every image a clause creates (commit, tag): `berth-<session>/`. */
  readonly imagePrefix: string;
  /** A fresh container name in the session's namespace. */
  name(hint: string): string;
  /** What still carries the session's label or prefix (the leak check of the area). */
  leftovers(): Promise<EngineLeftovers>;
  /**
   * Removes what carries the session's label or prefix, never an object that existed when the
   * session opened, and resolves with what it removed. Disposal sweeps too; an area calls it
   * itself to check, before the endpoint goes away, that the sweep spared what it must.
   */
  sweep(): Promise<EngineLeftovers>;
  /**
   * Closes the connections kept alive for reuse between the endpoint and what serves behind it
   * (a proxy's keep-alive guest connections), so that the per-test leak check counts only what
   * the test left open. A no-op where nothing is kept.
   */
  closeIdle(): Promise<void>;
}

/**
 * Docker Engine API endpoints (DKR clauses). A target offers one or more kinds, and each DKR
 * clause runs once per kind: `simulated` (a simulated dockerd), `real` (the target's daemon),
 * `proxied` (a proxy — the reference, or a third party's — in front of a guest).
 */
export interface EngineFacet {
  readonly kinds: readonly string[];
  open(kind: string): Promise<EngineSession>;
}
