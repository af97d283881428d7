import { ExecAbortedError, ExecTimeoutError } from './snapshot-errors.js';
import type { SnapshotRegistry } from './snapshot-registry.js';
import type {
  Action,
  CachingPolicy,
  ExecutionResult,
  OutputSink,
  SnapshotId,
  Vm,
  VmBackend,
} from './snapshot-types.js';

export interface SnapshotExecutorOptions {
  readonly backend: VmBackend;
  readonly registry: SnapshotRegistry;
  /** Told about cleanup failures that do not fail the action (a destroy or an eviction). */
  readonly onCleanupError?: (error: unknown) => void;
}

export interface ExecuteOptions {
  /** P-E6: aborting stops the command; the container is still destroyed before execute settles. */
  readonly signal?: AbortSignal;
}

export interface SnapshotExecutor {
  execute(
    action: Action,
    policy: CachingPolicy,
    sink: OutputSink,
    options?: ExecuteOptions,
  ): Promise<ExecutionResult>;
  /** Evicted snapshots still waiting for their in-flight users to finish. */
  pendingRemovals(): readonly SnapshotId[];
  /** Resolves when no execution is in flight and every deferred removal has run. */
  idle(): Promise<void>;
}

/** P-E6: runs the action's command in `vm`, stopped by the caller's signal or the action's timeout. */
async function runCommand(
  vm: Vm,
  action: Action,
  sink: OutputSink,
  signal: AbortSignal | undefined,
): Promise<number> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (action.timeoutMs !== undefined) {
    const timeoutMs = action.timeoutMs;
    timer = setTimeout(() => controller.abort(new ExecTimeoutError(timeoutMs)), timeoutMs);
  }
  try {
    return await vm.exec(
      action.cmd,
      {
        ...(action.env === undefined ? {} : { env: action.env }),
        ...(action.workingDir === undefined ? {} : { workingDir: action.workingDir }),
        signal: controller.signal,
      },
      sink,
    );
  } catch (error) {
    if (error instanceof ExecAbortedError && controller.signal.reason instanceof ExecTimeoutError) {
      throw controller.signal.reason;
    }
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** P-E5: who is restoring which snapshot, and the evicted ones whose removal waits for them. */
interface SnapshotUsers {
  acquire(snapshot: SnapshotId): void;
  release(snapshot: SnapshotId): Promise<void>;
  evict(snapshots: readonly SnapshotId[]): Promise<void>;
  pending(): readonly SnapshotId[];
}

function createSnapshotUsers(
  backend: VmBackend,
  registry: SnapshotRegistry,
  report: (error: unknown) => void,
): SnapshotUsers {
  /** P-E5: how many executions are restoring each snapshot right now. */
  const users = new Map<SnapshotId, number>();
  const deferred = new Set<SnapshotId>();
  const remove = async (snapshot: SnapshotId): Promise<void> => {
    deferred.delete(snapshot);
    // P-E5: a snapshot registered again since its eviction is kept.
    if (registry.holds(snapshot)) return;
    await backend.removeSnapshot(snapshot).catch(report);
  };
  return {
    acquire: (snapshot) => void users.set(snapshot, (users.get(snapshot) ?? 0) + 1),
    async release(snapshot) {
      const left = (users.get(snapshot) ?? 1) - 1;
      if (left > 0) users.set(snapshot, left);
      else {
        users.delete(snapshot);
        if (deferred.has(snapshot)) await remove(snapshot);
      }
    },
    async evict(snapshots) {
      for (const snapshot of snapshots) {
        if ((users.get(snapshot) ?? 0) > 0) deferred.add(snapshot);
        else await remove(snapshot);
      }
    },
    pending: () => [...deferred],
  };
}

/** Runs actions in VMs, reusing and recording cached snapshots (the orchestration of §E.1). */
export function createSnapshotExecutor(options: SnapshotExecutorOptions): SnapshotExecutor {
  const { backend, registry } = options;
  const report = options.onCleanupError ?? (() => undefined);
  const users = createSnapshotUsers(backend, registry, report);
  const inFlight = new Set<Promise<unknown>>();

  const run = async (
    action: Action,
    policy: CachingPolicy,
    sink: OutputSink,
    signal: AbortSignal | undefined,
  ): Promise<ExecutionResult> => {
    // Step 1: a cached snapshot that still exists is the result, without running anything.
    if (policy.kind === 'cache') {
      const hit = await registry.get(policy.key);
      if (hit !== undefined) {
        if (await backend.snapshotExists(hit)) return { exitCode: 0, snapshot: hit, cached: true };
        await registry.invalidate(policy.key);
      }
    }
    if (signal?.aborted) throw new ExecAbortedError('', { cause: signal.reason });
    // Step 2
    const restoring = 'snapshot' in action.source ? action.source.snapshot : undefined;
    if (restoring !== undefined) users.acquire(restoring);
    try {
      const vm =
        'snapshot' in action.source
          ? await backend.restore(action.source.snapshot)
          : await backend.create(action.source.image);
      try {
        // Step 3
        if (action.inject !== undefined) await vm.inject(action.inject, action.workingDir ?? '/');
        const exitCode = await runCommand(vm, action, sink, signal);
        if (exitCode !== 0) return { exitCode, cached: false };
        const snapshot = await vm.snapshot(
          policy.kind === 'cache' ? { kind: 'cached', key: policy.key } : { kind: 'ephemeral' },
        );
        if (policy.kind === 'cache') await users.evict(await registry.put(policy.key, snapshot));
        return { exitCode, snapshot, cached: false };
      } finally {
        // Step 4: always destroy, awaited, whether the run succeeded, failed or was cancelled.
        await vm.destroy().catch(report);
      }
    } finally {
      if (restoring !== undefined) await users.release(restoring);
    }
  };

  return {
    execute(action, policy, sink, executeOptions = {}) {
      const running = run(action, policy, sink, executeOptions.signal);
      inFlight.add(running);
      void running.then(
        () => inFlight.delete(running),
        () => inFlight.delete(running),
      );
      return running;
    },
    pendingRemovals: () => users.pending(),
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
