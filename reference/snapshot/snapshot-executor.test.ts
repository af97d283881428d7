import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecAbortedError } from './snapshot-errors.js';
import { createSnapshotExecutor } from './snapshot-executor.js';
import { openSnapshotRegistry, type SnapshotRegistry } from './snapshot-registry.js';
import { nullSink, type ExecOptions, type SnapshotLabel, type Vm, type VmBackend } from './snapshot-types.js';

/** A fake backend: snapshots are a set of names, VMs record what was done to them. */
class FakeBackend implements VmBackend {
  readonly calls: string[] = [];
  readonly images = new Set<string>(['base']);
  exitCode = 0;
  /** Commands whose exec waits for their gate (or for the signal). */
  readonly gates = new Map<string, Promise<void>>();
  #next = 0;

  create(image: string): Promise<Vm> {
    this.calls.push(`create ${image}`);
    return Promise.resolve(this.#vm());
  }
  restore(snapshot: string): Promise<Vm> {
    this.calls.push(`restore ${snapshot}`);
    if (!this.images.has(snapshot)) return Promise.reject(new Error(`no ${snapshot}`));
    return Promise.resolve(this.#vm());
  }
  snapshotExists(snapshot: string): Promise<boolean> {
    this.calls.push(`exists ${snapshot}`);
    return Promise.resolve(this.images.has(snapshot));
  }
  removeSnapshot(snapshot: string): Promise<void> {
    this.calls.push(`remove ${snapshot}`);
    this.images.delete(snapshot);
    return Promise.resolve();
  }

  #vm(): Vm {
    const id = `vm${(this.#next += 1)}`;
    const calls = this.calls;
    const vm: Vm = {
      containerId: id,
      inject: (host, guest) => {
        calls.push(`inject ${host} ${guest}`);
        return Promise.resolve();
      },
      exec: async (cmd: string, options: ExecOptions) => {
        calls.push(`exec ${cmd}`);
        const gate = this.gates.get(cmd);
        if (gate) {
          if (options.signal?.aborted) throw new ExecAbortedError(id);
          await Promise.race([
            gate,
            new Promise((_, reject) =>
              options.signal?.addEventListener('abort', () => reject(new ExecAbortedError(id)), {
                once: true,
              }),
            ),
          ]);
        }
        return this.exitCode;
      },
      snapshot: (label: SnapshotLabel) => {
        const name = label.kind === 'cached' ? label.key : `ephemeral:${id}`;
        calls.push(`snapshot ${name}`);
        this.images.add(name);
        return Promise.resolve(name);
      },
      destroy: () => {
        calls.push(`destroy ${id}`);
        return Promise.resolve();
      },
      [Symbol.asyncDispose]: () => vm.destroy(),
    };
    return vm;
  }
}

let dir: string;
let backend: FakeBackend;
let registry: SnapshotRegistry;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-executor-'));
  backend = new FakeBackend();
  let tick = 0;
  registry = await openSnapshotRegistry({
    path: join(dir, 'registry.json'),
    capacity: 1,
    now: () => (tick += 1),
  });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('createSnapshotExecutor', () => {
  it('creates, injects, executes, snapshots and destroys on a cache miss', async () => {
    const executor = createSnapshotExecutor({ backend, registry });
    const result = await executor.execute(
      { source: { image: 'base' }, cmd: 'make', inject: '/host', workingDir: '/w' },
      { kind: 'cache', key: 'c/k:1' },
      nullSink,
    );
    expect(result).toEqual({ exitCode: 0, snapshot: 'c/k:1', cached: false });
    expect(backend.calls).toEqual([
      'create base',
      'inject /host /w',
      'exec make',
      'snapshot c/k:1',
      'destroy vm1',
    ]);
  });

  it('skips execution on a hit that still exists', async () => {
    backend.images.add('c/k:1');
    await registry.put('c/k:1', 'c/k:1');
    const executor = createSnapshotExecutor({ backend, registry });
    expect(
      await executor.execute(
        { source: { image: 'base' }, cmd: 'make' },
        { kind: 'cache', key: 'c/k:1' },
        nullSink,
      ),
    ).toEqual({
      exitCode: 0,
      snapshot: 'c/k:1',
      cached: true,
    });
    expect(backend.calls).toEqual(['exists c/k:1']);
  });

  it('invalidates a stale hit without removing anything, and runs again', async () => {
    await registry.put('c/k:1', 'c/k:1');
    const executor = createSnapshotExecutor({ backend, registry });
    const result = await executor.execute(
      { source: { image: 'base' }, cmd: 'make' },
      { kind: 'cache', key: 'c/k:1' },
      nullSink,
    );
    expect(result.cached).toBe(false);
    expect(backend.calls.filter((call) => call.startsWith('remove'))).toEqual([]);
  });

  it('does not snapshot or record a non-zero exit, and still destroys', async () => {
    backend.exitCode = 2;
    const executor = createSnapshotExecutor({ backend, registry });
    expect(
      await executor.execute(
        { source: { image: 'base' }, cmd: 'make' },
        { kind: 'cache', key: 'k' },
        nullSink,
      ),
    ).toEqual({
      exitCode: 2,
      cached: false,
    });
    expect(registry.entries()).toEqual([]);
    expect(backend.calls.at(-1)).toBe('destroy vm1');
  });

  it('defers removing an evicted snapshot in use, and skips it when registered again', async () => {
    const executor = createSnapshotExecutor({ backend, registry });
    await executor.execute({ source: { image: 'base' }, cmd: 'a' }, { kind: 'cache', key: 'p' }, nullSink);
    let open = (): void => undefined;
    backend.gates.set('child', new Promise((resolve) => (open = resolve)));
    const child = executor.execute({ source: { snapshot: 'p' }, cmd: 'child' }, { kind: 'none' }, nullSink);
    await executor.execute({ source: { image: 'base' }, cmd: 'b' }, { kind: 'cache', key: 'q' }, nullSink);
    expect(executor.pendingRemovals()).toEqual(['p']);
    // 'p' comes back (re-registered under another key) before the child finishes.
    await registry.put('again', 'p');
    open();
    await child;
    await executor.idle();
    expect(executor.pendingRemovals()).toEqual([]);
    expect(backend.images.has('p')).toBe(true);
  });

  it('destroys the VM when cancelled or timed out', async () => {
    const executor = createSnapshotExecutor({ backend, registry });
    backend.gates.set('x', new Promise(() => undefined));
    const controller = new AbortController();
    const cancelled = executor.execute({ source: { image: 'base' }, cmd: 'x' }, { kind: 'none' }, nullSink, {
      signal: controller.signal,
    });
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_EXEC_ABORTED' });
    expect(backend.calls.at(-1)).toBe('destroy vm1');
    await expect(
      executor.execute({ source: { image: 'base' }, cmd: 'x', timeoutMs: 10 }, { kind: 'none' }, nullSink),
    ).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_EXEC_TIMEOUT' });
    expect(backend.calls.at(-1)).toBe('destroy vm2');
  });
});
