import { hasErrorCode } from '../../protocol/errors.js';
import {
  displayContainerId,
  ISOLATION_LABEL,
  normaliseImageReference,
  type ContainerId,
  type ContainerInspect,
  type ContainerStatus,
  type ContainerSummary,
  type ExecOptions,
  type ExecResult,
  type ImageInspector,
  type ImageSummary,
  type LogChunk,
  type LogEntry,
  type LogsOptions,
  type OsKind,
  type PruneResult,
  type Runtime,
  type RuntimeMarker,
  type ServiceSpec,
  type StatsSample,
  type StatsSnapshot,
} from '../../protocol/runtime.js';
import { PullFailedError, RouteToPeerError, RuntimeNotFoundError } from '../../protocol/runtime-errors.js';
import { logChunksFromSnapshot, oneSample, statsSampleFromSnapshot } from './one-shot-streams.js';
import { ReadFailures } from './read-failures.js';

/** Which configured runtime owns a container. */
export type DispatchTarget = 'primary' | 'delegate' | 'vz' | 'vzLinux';

/** Fallback and fan-out order (CMP-12, CMP-18, CMP-23). */
const ORDER: readonly DispatchTarget[] = ['primary', 'delegate', 'vz', 'vzLinux'];

export interface CompositeRuntimeOptions {
  readonly primary: Runtime;
  /** The Linux VM delegate (WSL2 / libkrun upstream). */
  readonly delegate?: Runtime;
  /** macOS VZ runtime for `vz` bundles. */
  readonly vz?: Runtime;
  /** Linux-in-VZ runtime: the default target on a macOS host. */
  readonly vzLinux?: Runtime;
  /** Finds an image's OS after a pull (CMP-20). */
  readonly osInspector?: ImageInspector<OsKind>;
  /** Finds an image's runtime marker after a pull (CMP-22). */
  readonly markerInspector?: ImageInspector<RuntimeMarker>;
}

const errorOf = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

/**
 * The reference composite runtime: chooses a runtime per container on create, forwards every
 * per-container call to that owner, falls back across runtimes for reads, and fans image
 * operations out to every runtime.
 */
export class CompositeRuntime implements Runtime {
  readonly #runtimes: ReadonlyMap<DispatchTarget, Runtime>;
  readonly #osInspector: ImageInspector<OsKind> | undefined;
  readonly #markerInspector: ImageInspector<RuntimeMarker> | undefined;
  readonly #owners = new Map<string, DispatchTarget>();
  /** Keyed by normalised image reference (CMP-7, deliberately unlike upstream). */
  readonly #imageOs = new Map<string, OsKind>();
  readonly #imageMarker = new Map<string, RuntimeMarker>();

  constructor(options: CompositeRuntimeOptions) {
    const runtimes = new Map<DispatchTarget, Runtime>([['primary', options.primary]]);
    if (options.delegate !== undefined) runtimes.set('delegate', options.delegate);
    if (options.vz !== undefined) runtimes.set('vz', options.vz);
    if (options.vzLinux !== undefined) runtimes.set('vzLinux', options.vzLinux);
    this.#runtimes = runtimes;
    this.#osInspector = options.osInspector;
    this.#markerInspector = options.markerInspector;
  }

  /** The owner recorded for a container, if any. */
  ownerOf(id: ContainerId): DispatchTarget | undefined {
    return this.#owners.get(displayContainerId(id));
  }

  /** The image OS the composite has learned for `image`, if any. */
  knownImageOs(image: string): OsKind | undefined {
    return this.#imageOs.get(normaliseImageReference(image));
  }

  /** Applies an OS inspection result (CMP-21): only a found OS changes the cache. */
  applyImageOs(image: string, os: OsKind | undefined): void {
    if (os !== undefined) this.#imageOs.set(normaliseImageReference(image), os);
  }

  /** Applies a runtime-marker inspection result (CMP-22). */
  applyImageMarker(image: string, marker: RuntimeMarker | undefined): void {
    if (marker !== undefined) this.#imageMarker.set(normaliseImageReference(image), marker);
  }

  /** CMP-1..CMP-6: the runtime a new container goes to; the first matching rule wins. */
  selectFor(id: ContainerId, spec: ServiceSpec): DispatchTarget {
    const has = (target: DispatchTarget): boolean => this.#runtimes.has(target);

    // CMP-1: the isolation label; a missing runtime or unknown value falls through.
    const isolation = spec.labels[ISOLATION_LABEL]?.toLowerCase();
    if (isolation === 'vz' && has('vz')) return 'vz';
    if (isolation === 'vz-linux' && has('vzLinux')) return 'vzLinux';
    if ((isolation === 'vm' || isolation === 'libkrun') && has('delegate')) return 'delegate';
    if (isolation === 'sandbox' || isolation === 'seatbelt') return 'primary';

    // CMP-2, CMP-3: the image's runtime marker beats any platform.
    const image = normaliseImageReference(spec.image);
    const marker = this.#imageMarker.get(image)?.toLowerCase();
    if (marker === 'vz' && has('vz')) return 'vz';
    if (marker === 'vz-linux' && has('vzLinux')) return 'vzLinux';

    // CMP-4: the spec's platform.
    if (spec.platform !== undefined) {
      if (spec.platform.os !== 'linux') return 'primary';
      return this.#linuxTarget(
        id,
        `spec.platform.os = linux but this node has no Linux delegate (WSL2); ` +
          `re-run setup with --install-wsl yes, or add a Linux peer to the cluster`,
      );
    }

    // CMP-5: what a pull learned about the image's OS.
    const os = this.#imageOs.get(image);
    if (os !== undefined) {
      if (os !== 'linux') return 'primary';
      if (has('vzLinux')) return 'vzLinux';
      return this.#linuxTarget(
        id,
        `image '${spec.image}' is a Linux image but this node has no Linux delegate (WSL2); ` +
          `re-run setup with --install-wsl yes, or add a Linux peer to the cluster`,
      );
    }

    // CMP-6: the host default.
    return has('vzLinux') ? 'vzLinux' : 'primary';
  }

  #linuxTarget(id: ContainerId, reason: string): DispatchTarget {
    if (this.#runtimes.has('vzLinux')) return 'vzLinux';
    if (this.#runtimes.has('delegate')) return 'delegate';
    throw new RouteToPeerError(id.service, 'linux', reason);
  }

  #runtime(target: DispatchTarget): Runtime {
    const runtime = this.#runtimes.get(target);
    // Unreachable: selectFor only chooses configured runtimes.
    if (runtime === undefined) throw new Error(`no ${target} runtime is configured`);
    return runtime;
  }

  /** CMP-9: the owner of a container, or NotFound when there is no dispatch record. */
  #owner(id: ContainerId): Runtime {
    const target = this.#owners.get(displayContainerId(id));
    if (target === undefined) {
      throw new RuntimeNotFoundError(displayContainerId(id), 'no dispatch record in the composite runtime');
    }
    return this.#runtime(target);
  }

  /** CMP-12: the owner first, then every other configured runtime in order, each once. */
  #readOrder(id: ContainerId): Runtime[] {
    const owner = this.#owner(id);
    return [owner, ...ORDER.flatMap((t) => this.#runtimes.get(t) ?? []).filter((r) => r !== owner)];
  }

  async #firstOk<T>(id: ContainerId, what: string, read: (runtime: Runtime) => Promise<T>): Promise<T> {
    const failures = new ReadFailures();
    for (const runtime of this.#readOrder(id)) {
      try {
        return await read(runtime);
      } catch (error) {
        failures.note(error);
      }
    }
    throw failures.toError(what);
  }

  /** CMP-8: records the owner; a failed create restores whatever record was there before. */
  async createContainer(id: ContainerId, spec: ServiceSpec): Promise<void> {
    const target = this.selectFor(id, spec);
    const key = displayContainerId(id);
    const previous = this.#owners.get(key);
    this.#owners.set(key, target);
    try {
      await this.#runtime(target).createContainer(id, spec);
    } catch (error) {
      if (this.#owners.get(key) === target) {
        if (previous === undefined) this.#owners.delete(key);
        else this.#owners.set(key, previous);
      }
      throw error;
    }
  }

  /** CMP-11: the record goes only when the owner removed the container (or never had it). */
  async removeContainer(id: ContainerId): Promise<void> {
    const key = displayContainerId(id);
    try {
      await this.#owner(id).removeContainer(id);
    } catch (error) {
      if (hasErrorCode(error, 'ERR_RUNTIME_NOT_FOUND')) this.#owners.delete(key);
      throw error;
    }
    this.#owners.delete(key);
  }

  // CMP-10, CMP-26: every per-container call goes to the owner.
  async startContainer(id: ContainerId): Promise<void> {
    return this.#owner(id).startContainer(id);
  }
  async stopContainer(id: ContainerId, timeoutMs: number): Promise<void> {
    return this.#owner(id).stopContainer(id, timeoutMs);
  }
  async containerState(id: ContainerId): Promise<ContainerStatus> {
    return this.#owner(id).containerState(id);
  }
  async exec(id: ContainerId, argv: readonly string[]): Promise<ExecResult> {
    return this.#owner(id).exec(id, argv);
  }
  async execWithOpts(id: ContainerId, options: ExecOptions): Promise<ExecResult> {
    return this.#owner(id).execWithOpts(id, options);
  }
  async waitContainer(id: ContainerId): Promise<number> {
    return this.#owner(id).waitContainer(id);
  }
  async renameContainer(id: ContainerId, name: string): Promise<void> {
    return this.#owner(id).renameContainer(id, name);
  }
  async killContainer(id: ContainerId, signal?: string): Promise<void> {
    const owner = this.#owner(id);
    return signal === undefined ? owner.killContainer(id) : owner.killContainer(id, signal);
  }
  async pauseContainer(id: ContainerId): Promise<void> {
    return this.#owner(id).pauseContainer(id);
  }
  async unpauseContainer(id: ContainerId): Promise<void> {
    return this.#owner(id).unpauseContainer(id);
  }
  async inspectContainer(id: ContainerId): Promise<ContainerInspect> {
    return this.#owner(id).inspectContainer(id);
  }
  async archiveGet(id: ContainerId, path: string): Promise<Uint8Array> {
    return this.#owner(id).archiveGet(id, path);
  }
  async archivePut(id: ContainerId, path: string, tar: Uint8Array): Promise<void> {
    return this.#owner(id).archivePut(id, path, tar);
  }
  async commitContainer(id: ContainerId, reference: string): Promise<string> {
    return this.#owner(id).commitContainer(id, reference);
  }

  // CMP-13: snapshot reads fall back across runtimes.
  async containerLogs(id: ContainerId, tail: number | 'all'): Promise<LogEntry[]> {
    return this.#firstOk(id, 'container logs', (runtime) => runtime.containerLogs(id, tail));
  }
  async containerStats(id: ContainerId): Promise<StatsSnapshot> {
    return this.#firstOk(id, 'container stats', (runtime) => runtime.containerStats(id));
  }

  /** CMP-14: native streams first, then a one-shot stream from the first snapshot that answers. */
  async logsStream(id: ContainerId, options: LogsOptions): Promise<AsyncIterable<LogChunk>> {
    const backends = this.#readOrder(id);
    const failures = new ReadFailures();
    for (const runtime of backends) {
      try {
        return await runtime.logsStream(id, options);
      } catch (error) {
        failures.note(error);
      }
    }
    // No line cap: `all` (or no tail) asks every backend for every line.
    const tail = options.tail ?? 'all';
    for (const runtime of backends) {
      try {
        return logChunksFromSnapshot(await runtime.containerLogs(id, tail), options);
      } catch (error) {
        failures.note(error);
      }
    }
    throw failures.toError('a log stream');
  }

  /** CMP-16: native stats streams first, then one sample from the first snapshot that answers. */
  async statsStream(id: ContainerId): Promise<AsyncIterable<StatsSample>> {
    const backends = this.#readOrder(id);
    const failures = new ReadFailures();
    for (const runtime of backends) {
      try {
        return await runtime.statsStream(id);
      } catch (error) {
        failures.note(error);
      }
    }
    for (const runtime of backends) {
      try {
        return oneSample(statsSampleFromSnapshot(await runtime.containerStats(id), new Date()));
      } catch (error) {
        failures.note(error);
      }
    }
    throw failures.toError('a stats stream');
  }

  /**
   * CMP-18: pulls through every runtime in order. A primary WrongPlatform is a soft skip, any
   * other primary error fails at once; unlike upstream, a pull no runtime completed fails.
   */
  async pullImage(image: string): Promise<void> {
    const failures: Error[] = [];
    let stored = 0;
    for (const [target, runtime] of this.#configured()) {
      try {
        await runtime.pullImage(image);
        stored += 1;
      } catch (error) {
        if (target === 'primary' && !hasErrorCode(error, 'ERR_RUNTIME_WRONG_PLATFORM')) throw error;
        failures.push(errorOf(error));
      }
    }
    if (stored === 0) throw new PullFailedError(image, failures);
    // CMP-20..22: inspection informs dispatch and never fails the pull.
    this.applyImageOs(image, await this.#inspect(this.#osInspector, image));
    this.applyImageMarker(image, await this.#inspect(this.#markerInspector, image));
  }

  async #inspect<T>(inspector: ImageInspector<T> | undefined, image: string): Promise<T | undefined> {
    if (inspector === undefined) return undefined;
    try {
      return await inspector.inspect(image);
    } catch {
      return undefined;
    }
  }

  #configured(): [DispatchTarget, Runtime][] {
    return ORDER.flatMap((t): [DispatchTarget, Runtime][] => {
      const runtime = this.#runtimes.get(t);
      return runtime === undefined ? [] : [[t, runtime]];
    });
  }

  /** Runs `operation` on every runtime; the answers of those that succeeded, or the CMP-13 error. */
  async #everywhere<T>(what: string, operation: (runtime: Runtime) => Promise<T>): Promise<T[]> {
    const failures = new ReadFailures();
    const answers: T[] = [];
    for (const [, runtime] of this.#configured()) {
      try {
        answers.push(await operation(runtime));
      } catch (error) {
        failures.note(error);
      }
    }
    if (answers.length === 0) throw failures.toError(what);
    return answers;
  }

  /** CMP-23: every runtime's images, de-duplicated by reference (first wins). */
  async listImages(): Promise<ImageSummary[]> {
    const lists = await this.#everywhere('an image list', (runtime) => runtime.listImages());
    const seen = new Set<string>();
    return lists.flat().filter((image) => !seen.has(image.reference) && seen.add(image.reference));
  }

  /** CMP-23 applied to containers: every runtime's containers, de-duplicated by id. */
  async listContainers(): Promise<ContainerSummary[]> {
    const lists = await this.#everywhere('a container list', (runtime) => runtime.listContainers());
    const seen = new Set<string>();
    return lists.flat().filter((container) => !seen.has(container.id) && seen.add(container.id));
  }

  /** CMP-24: removes the image from every runtime; fails only when none removed it. */
  async removeImage(image: string): Promise<void> {
    await this.#everywhere(`removal of '${image}'`, (runtime) => runtime.removeImage(image));
  }

  /** CMP-24: tags on every runtime; fails only when none tagged it. */
  async tagImage(source: string, target: string): Promise<void> {
    await this.#everywhere(`tag of '${source}'`, (runtime) => runtime.tagImage(source, target));
  }

  /** CMP-25: prunes every runtime and merges what they reclaimed. */
  async pruneImages(): Promise<PruneResult> {
    const results = await this.#everywhere('an image prune', (runtime) => runtime.pruneImages());
    return {
      deleted: results.flatMap((result) => result.deleted),
      spaceReclaimed: Math.min(
        results.reduce((sum, result) => sum + result.spaceReclaimed, 0),
        Number.MAX_SAFE_INTEGER,
      ),
    };
  }
}

export function createCompositeRuntime(options: CompositeRuntimeOptions): CompositeRuntime {
  return new CompositeRuntime(options);
}
