import {
  displayContainerId,
  normaliseImageReference,
  type ContainerId,
  type ContainerInspect,
  type ContainerStatus,
  type ContainerSummary,
  type ExecOptions,
  type ExecResult,
  type ImageSummary,
  type LogChunk,
  type LogEntry,
  type OsKind,
  type PruneResult,
  type Runtime,
  type ServiceSpec,
  type StatsSample,
  type StatsSnapshot,
} from '../../protocol/runtime.js';
import {
  RuntimeInternalError,
  RuntimeNotFoundError,
  RuntimeUnsupportedError,
  WrongPlatformError,
} from '../../protocol/runtime-errors.js';

export interface FakeRuntimeOptions {
  /** The OS this runtime runs; pulls of images known to be another OS fail with WrongPlatform. */
  readonly os?: OsKind;
  /** What the fake knows of image OSes, by reference (bare or qualified). */
  readonly imageOs?: Readonly<Record<string, OsKind>>;
}

interface FakeContainer {
  readonly id: ContainerId;
  readonly spec: ServiceSpec;
  name: string;
  status: ContainerStatus;
  readonly logs: LogEntry[];
  readonly files: Map<string, Uint8Array>;
}

const IMAGE_SIZE = 1024;

/**
 * A working in-memory runtime: images, containers with a tiny lifecycle, exec of `echo` and
 * `hostname` (answers the runtime's name), log and stats snapshots, archives and commit. It has
 * no native log or stats stream (both Unsupported), like most upstream runtimes.
 */
export class FakeRuntime implements Runtime {
  readonly #images = new Map<string, number>();
  readonly #containers = new Map<string, FakeContainer>();
  readonly #imageOs: ReadonlyMap<string, OsKind>;
  #clock = 0;

  constructor(
    readonly name: string,
    readonly options: FakeRuntimeOptions = {},
  ) {
    this.#imageOs = new Map(
      Object.entries(options.imageOs ?? {}).map(([image, os]) => [normaliseImageReference(image), os]),
    );
  }

  /** Display ids of the containers this runtime holds. */
  containerIds(): string[] {
    return [...this.#containers.keys()];
  }

  hasImage(image: string): boolean {
    return this.#images.has(image);
  }

  #container(id: ContainerId): FakeContainer {
    const container = this.#containers.get(displayContainerId(id));
    if (container === undefined)
      throw new RuntimeNotFoundError(displayContainerId(id), `unknown to ${this.name}`);
    return container;
  }

  #log(container: FakeContainer, message: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.#clock += 1;
    container.logs.push({
      stream,
      message,
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, this.#clock)).toISOString(),
    });
  }

  async pullImage(image: string): Promise<void> {
    const os = this.#imageOs.get(normaliseImageReference(image));
    if (this.options.os !== undefined && os !== undefined && os !== this.options.os) {
      throw new WrongPlatformError(this.name, this.options.os, os, image);
    }
    this.#images.set(image, IMAGE_SIZE);
  }
  async listImages(): Promise<ImageSummary[]> {
    return [...this.#images].map(([reference, size]) => ({ reference, size }));
  }
  async removeImage(image: string): Promise<void> {
    if (!this.#images.delete(image)) throw new RuntimeNotFoundError(image, `no such image in ${this.name}`);
  }
  async tagImage(source: string, target: string): Promise<void> {
    const size = this.#images.get(source);
    if (size === undefined) throw new RuntimeNotFoundError(source, `no such image in ${this.name}`);
    this.#images.set(target, size);
  }
  async pruneImages(): Promise<PruneResult> {
    const used = new Set([...this.#containers.values()].map((c) => c.spec.image));
    const deleted = [...this.#images.keys()].filter((image) => !used.has(image));
    for (const image of deleted) this.#images.delete(image);
    return { deleted, spaceReclaimed: deleted.length * IMAGE_SIZE };
  }

  async createContainer(id: ContainerId, spec: ServiceSpec): Promise<void> {
    const key = displayContainerId(id);
    if (this.#containers.has(key))
      throw new RuntimeInternalError(`container '${key}' already exists in ${this.name}`);
    const container: FakeContainer = { id, spec, name: key, status: 'created', logs: [], files: new Map() };
    this.#containers.set(key, container);
  }
  async startContainer(id: ContainerId): Promise<void> {
    const container = this.#container(id);
    container.status = 'running';
    this.#log(container, `started on ${this.name}`);
  }
  async stopContainer(id: ContainerId): Promise<void> {
    const container = this.#container(id);
    container.status = 'exited';
    this.#log(container, 'stopped', 'stderr');
  }
  async removeContainer(id: ContainerId): Promise<void> {
    this.#container(id);
    this.#containers.delete(displayContainerId(id));
  }
  async containerState(id: ContainerId): Promise<ContainerStatus> {
    return this.#container(id).status;
  }
  async exec(id: ContainerId, argv: readonly string[]): Promise<ExecResult> {
    return this.execWithOpts(id, { command: argv });
  }
  async execWithOpts(id: ContainerId, options: ExecOptions): Promise<ExecResult> {
    const container = this.#container(id);
    if (container.status !== 'running')
      return { exitCode: 126, stdout: '', stderr: 'container is not running\n' };
    const [program, ...rest] = options.command;
    if (program === 'echo') return { exitCode: 0, stdout: `${rest.join(' ')}\n`, stderr: '' };
    if (program === 'hostname') return { exitCode: 0, stdout: `${this.name}\n`, stderr: '' };
    if (program === 'whoami') return { exitCode: 0, stdout: `${options.user ?? 'root'}\n`, stderr: '' };
    if (program === 'pwd') return { exitCode: 0, stdout: `${options.cwd ?? '/'}\n`, stderr: '' };
    if (program === 'printenv' && rest[0] !== undefined) {
      const value = options.env?.[rest[0]];
      return value === undefined
        ? { exitCode: 1, stdout: '', stderr: '' }
        : { exitCode: 0, stdout: `${value}\n`, stderr: '' };
    }
    return { exitCode: 127, stdout: '', stderr: `${program ?? ''}: not found\n` };
  }
  async containerLogs(id: ContainerId, tail: number | 'all'): Promise<LogEntry[]> {
    const logs = this.#container(id).logs;
    return tail === 'all' ? [...logs] : logs.slice(Math.max(0, logs.length - tail));
  }
  async logsStream(): Promise<AsyncIterable<LogChunk>> {
    throw new RuntimeUnsupportedError('logs_stream');
  }
  async containerStats(id: ContainerId): Promise<StatsSnapshot> {
    const running = this.#container(id).status === 'running';
    return { cpuUsageUsec: running ? 1000 : 0, memoryBytes: running ? 4096 : 0, memoryLimit: 1 << 20 };
  }
  async statsStream(): Promise<AsyncIterable<StatsSample>> {
    throw new RuntimeUnsupportedError('stats_stream');
  }
  async waitContainer(id: ContainerId): Promise<number> {
    const container = this.#container(id);
    container.status = 'exited';
    return 0;
  }
  async renameContainer(id: ContainerId, name: string): Promise<void> {
    this.#container(id).name = name;
  }
  async killContainer(id: ContainerId): Promise<void> {
    this.#container(id).status = 'exited';
  }
  async pauseContainer(id: ContainerId): Promise<void> {
    const container = this.#container(id);
    if (container.status !== 'running')
      throw new RuntimeInternalError(`container '${container.name}' is not running`);
    container.status = 'paused';
  }
  async unpauseContainer(id: ContainerId): Promise<void> {
    const container = this.#container(id);
    if (container.status !== 'paused')
      throw new RuntimeInternalError(`container '${container.name}' is not paused`);
    container.status = 'running';
  }
  async inspectContainer(id: ContainerId): Promise<ContainerInspect> {
    const container = this.#container(id);
    return {
      id: displayContainerId(id),
      name: container.name,
      image: container.spec.image,
      status: container.status,
    };
  }
  async listContainers(): Promise<ContainerSummary[]> {
    return [...this.#containers].map(([id, c]) => ({ id, image: c.spec.image, status: c.status }));
  }
  async archiveGet(id: ContainerId, path: string): Promise<Uint8Array> {
    const file = this.#container(id).files.get(path);
    if (file === undefined) throw new RuntimeNotFoundError(displayContainerId(id), `no path '${path}'`);
    return file;
  }
  async archivePut(id: ContainerId, path: string, tar: Uint8Array): Promise<void> {
    this.#container(id).files.set(path, tar);
  }
  async commitContainer(id: ContainerId, reference: string): Promise<string> {
    this.#container(id);
    this.#images.set(reference, IMAGE_SIZE);
    return `sha256:${this.name}-${reference}`;
  }
}
