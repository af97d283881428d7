/** Names a committed snapshot image (`repo:tag`); opaque to callers. */
export type SnapshotId = string;

/** SNP-6: how a snapshot is named. */
export type SnapshotLabel =
  { readonly kind: 'ephemeral' } | { readonly kind: 'cached'; readonly key: string };

/** Where a VM starts from. */
export type ImageSource = { readonly image: string } | { readonly snapshot: SnapshotId };

/** Receives command output one line at a time (without the line terminator). */
export interface OutputSink {
  onStdout(line: string): void;
  onStderr(line: string): void;
}

export const nullSink: OutputSink = { onStdout: () => undefined, onStderr: () => undefined };

export interface ExecOptions {
  /** Environment entries, in order (later entries win inside the container). */
  readonly env?: readonly (readonly [string, string])[];
  readonly workingDir?: string;
  /** P-E6: aborting stops waiting, closes the exec stream and rejects with ERR_SNAPSHOT_EXEC_ABORTED. */
  readonly signal?: AbortSignal;
}

/** One running container. Disposing it destroys it. */
export interface Vm extends AsyncDisposable {
  readonly containerId: string;
  /** SNP-5: uploads the contents of `hostPath` into `guestPath` (created first). */
  inject(hostPath: string, guestPath: string): Promise<void>;
  /** SNP-4: runs `sh -c cmd`, streams its lines to `sink` and resolves with the exit code. */
  exec(cmd: string, options: ExecOptions, sink: OutputSink): Promise<number>;
  /** SNP-6: commits the container and returns the snapshot's reference. */
  snapshot(label: SnapshotLabel): Promise<SnapshotId>;
  /** SNP-7: stops and removes the container; later calls do nothing. */
  destroy(): Promise<void>;
}

export interface VmBackend {
  /** SNP-1: starts a VM from an image, pulling it when absent. */
  create(image: string): Promise<Vm>;
  /** SNP-3: starts a VM from a snapshot (never pulls). */
  restore(snapshot: SnapshotId): Promise<Vm>;
  /** SNP-10 */
  snapshotExists(snapshot: SnapshotId): Promise<boolean>;
  /** SNP-9 */
  removeSnapshot(snapshot: SnapshotId): Promise<void>;
}

export type CachingPolicy = { readonly kind: 'none' } | { readonly kind: 'cache'; readonly key: string };

export interface Action {
  readonly source: ImageSource;
  readonly cmd: string;
  readonly env?: readonly (readonly [string, string])[];
  readonly workingDir?: string;
  readonly timeoutMs?: number;
  /** A host directory uploaded into `workingDir` (default `/`) before the command runs. */
  readonly inject?: string;
}

export interface ExecutionResult {
  readonly exitCode: number;
  /** Present only when the command exited 0 (or the result came from the cache). */
  readonly snapshot?: SnapshotId;
  readonly cached: boolean;
}
