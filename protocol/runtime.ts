/**
 * The container runtime port (upstream-behaviour.md D.1): what a composite dispatcher forwards to
 * and what runtime doubles implement. Every method is async; errors are the classes of
 * runtime-errors.ts.
 */

export type OsKind = 'linux' | 'windows' | 'macos';
export type ArchKind = 'amd64' | 'arm64';

/** The OCI `os` value of an OS kind (`darwin` for macOS). */
export function osKindToOci(os: OsKind): string {
  return os === 'macos' ? 'darwin' : os;
}

/** The exact inverse of `osKindToOci`; empty or unknown values give undefined. */
export function osKindFromOci(value: string): OsKind | undefined {
  switch (value) {
    case 'linux':
      return 'linux';
    case 'windows':
      return 'windows';
    case 'darwin':
      return 'macos';
    default:
      return undefined;
  }
}

/** The manifest annotation a runtime bundle is marked with, and its two known values. */
export const RUNTIME_MARKER_ANNOTATION = 'com.zlayer.runtime';
export type RuntimeMarker = 'vz' | 'vz-linux';
/** The label that forces an isolation (runtime) for one service. */
export const ISOLATION_LABEL = 'com.zlayer.isolation';

export interface ContainerId {
  readonly service: string;
  readonly replica: number;
  /** Defaults to `default`. */
  readonly role?: string;
  /** Defaults to 0. */
  readonly nodeId?: number;
}

const DEFAULT_ROLE = 'default';

/** `svc-rep-N` for the legacy shape (default role, node 0), else `svc-role-N-on-node`. */
export function displayContainerId(id: ContainerId): string {
  const role = id.role ?? DEFAULT_ROLE;
  const nodeId = id.nodeId ?? 0;
  if (role === DEFAULT_ROLE && nodeId === 0) return `${id.service}-rep-${id.replica}`;
  return `${id.service}-${role}-${id.replica}-on-${nodeId}`;
}

const NEW_SHAPE = /^(.+)-([^-]+)-(\d+)-on-(\d+)$/;
const LEGACY_SHAPE = /^(.+)-rep-(\d+)$/;

/** Inverse of `displayContainerId`, anchored on the rightmost markers; undefined when malformed. */
export function parseContainerId(text: string): ContainerId | undefined {
  const modern = NEW_SHAPE.exec(text);
  if (modern !== null) {
    const [, service, role, replica, nodeId] = modern as unknown as [string, string, string, string, string];
    return { service, role, replica: Number(replica), nodeId: Number(nodeId) };
  }
  const legacy = LEGACY_SHAPE.exec(text);
  if (legacy !== null) {
    const [, service, replica] = legacy as unknown as [string, string, string];
    return { service, replica: Number(replica), role: DEFAULT_ROLE, nodeId: 0 };
  }
  return undefined;
}

/**
 * The canonical form of an image reference: registry and `library/` made explicit and `:latest`
 * added when no tag or digest is given, so `alpine` and `docker.io/library/alpine:latest` agree.
 */
export function normaliseImageReference(reference: string): string {
  const [name, digest] = reference.split('@', 2) as [string, string | undefined];
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const hasRegistry = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let path = hasRegistry ? name.slice(slash + 1) : name;
  const registry = hasRegistry ? first : 'docker.io';
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  const lastSegment = path.slice(path.lastIndexOf('/') + 1);
  if (digest === undefined && !lastSegment.includes(':')) path = `${path}:latest`;
  return `${registry}/${path}${digest === undefined ? '' : `@${digest}`}`;
}

export interface TargetPlatform {
  readonly os: OsKind;
  readonly arch?: ArchKind;
}

export interface ServiceSpec {
  readonly image: string;
  readonly platform?: TargetPlatform;
  readonly labels: Readonly<Record<string, string>>;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'exited';

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly command: readonly string[];
  readonly user?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export type LogChannel = 'stdout' | 'stderr';

/** One line of a log snapshot. */
export interface LogEntry {
  readonly stream: LogChannel;
  readonly message: string;
  /** RFC 3339. */
  readonly timestamp: string;
}

export interface LogsOptions {
  readonly stdout?: boolean;
  readonly stderr?: boolean;
  /** Lines from the end; `all` (the default) is every line. */
  readonly tail?: number | 'all';
  readonly timestamps?: boolean;
  readonly follow?: boolean;
}

/** One chunk of a log stream: the bytes of one line (with its newline). */
export interface LogChunk {
  readonly stream: LogChannel;
  readonly data: string;
  readonly timestamp?: string;
}

export interface StatsSnapshot {
  readonly cpuUsageUsec: number;
  readonly memoryBytes: number;
  readonly memoryLimit: number;
}

export interface StatsSample {
  readonly cpuTotalNs: number;
  readonly memUsedBytes: number;
  readonly memLimitBytes: number;
  readonly onlineCpus: number;
  readonly netRxBytes: number;
  readonly netTxBytes: number;
  readonly blkReadBytes: number;
  readonly blkWriteBytes: number;
  readonly pids: number;
  readonly timestamp: string;
}

export interface ContainerInspect {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly status: ContainerStatus;
}

export interface ContainerSummary {
  readonly id: string;
  readonly image: string;
  readonly status: ContainerStatus;
}

export interface ImageSummary {
  readonly reference: string;
  readonly size: number;
}

export interface PruneResult {
  readonly deleted: readonly string[];
  readonly spaceReclaimed: number;
}

export interface Runtime {
  pullImage(image: string): Promise<void>;
  listImages(): Promise<ImageSummary[]>;
  removeImage(image: string): Promise<void>;
  tagImage(source: string, target: string): Promise<void>;
  pruneImages(): Promise<PruneResult>;

  createContainer(id: ContainerId, spec: ServiceSpec): Promise<void>;
  startContainer(id: ContainerId): Promise<void>;
  stopContainer(id: ContainerId, timeoutMs: number): Promise<void>;
  removeContainer(id: ContainerId): Promise<void>;
  containerState(id: ContainerId): Promise<ContainerStatus>;
  exec(id: ContainerId, argv: readonly string[]): Promise<ExecResult>;
  execWithOpts(id: ContainerId, options: ExecOptions): Promise<ExecResult>;
  containerLogs(id: ContainerId, tail: number | 'all'): Promise<LogEntry[]>;
  logsStream(id: ContainerId, options: LogsOptions): Promise<AsyncIterable<LogChunk>>;
  containerStats(id: ContainerId): Promise<StatsSnapshot>;
  statsStream(id: ContainerId): Promise<AsyncIterable<StatsSample>>;
  waitContainer(id: ContainerId): Promise<number>;
  renameContainer(id: ContainerId, name: string): Promise<void>;
  killContainer(id: ContainerId, signal?: string): Promise<void>;
  pauseContainer(id: ContainerId): Promise<void>;
  unpauseContainer(id: ContainerId): Promise<void>;
  inspectContainer(id: ContainerId): Promise<ContainerInspect>;
  listContainers(): Promise<ContainerSummary[]>;
  archiveGet(id: ContainerId, path: string): Promise<Uint8Array>;
  archivePut(id: ContainerId, path: string, tar: Uint8Array): Promise<void>;
  commitContainer(id: ContainerId, reference: string): Promise<string>;
}

/** Per-container methods: the ones a composite forwards to the container's owner. */
export const CONTAINER_METHODS = [
  'startContainer',
  'stopContainer',
  'containerState',
  'exec',
  'execWithOpts',
  'waitContainer',
  'renameContainer',
  'killContainer',
  'pauseContainer',
  'unpauseContainer',
  'inspectContainer',
  'archiveGet',
  'archivePut',
  'commitContainer',
] as const satisfies readonly (keyof Runtime)[];
export type ContainerMethod = (typeof CONTAINER_METHODS)[number];

/**
 * Looks an image up (local caches first) for one fact: its OS or its runtime marker. Undefined
 * means unknown; a rejection is an inspection failure, never a pull failure.
 */
export interface ImageInspector<T> {
  inspect(image: string): Promise<T | undefined>;
}
