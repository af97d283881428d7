import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe } from 'vitest';
import type { ClauseContext } from '../harness/clause.js';
import { clause } from '../harness/clause.js';
import { describeEndpoints, type SnapshotSession } from './snapshot-endpoints.js';

const TIMEOUT = { timeoutMs: 60_000 };

function recorder(): {
  lines: string[];
  sink: { onStdout(line: string): void; onStderr(line: string): void };
} {
  const lines: string[] = [];
  return {
    lines,
    sink: { onStdout: (line) => lines.push(line), onStderr: (line) => lines.push(`err: ${line}`) },
  };
}

/** Removes every snapshot `snapshots()` names after the test. */
function removeAfter(
  context: ClauseContext,
  session: SnapshotSession,
  snapshots: () => readonly (string | undefined)[],
): void {
  context.onTestFinished(async () => {
    for (const snapshot of snapshots()) {
      if (snapshot !== undefined) await session.backend.removeSnapshot(snapshot).catch(() => undefined);
    }
  });
}

describe('snapshot execution and cache', () => {
  describeEndpoints((endpoint) => {
    clause(
      'SNP-17',
      'stops an aborted execution and removes its container before rejecting',
      async ({ use, expect }) => {
        const session = await endpoint.session(use);
        const executor = await session.executor({ capacity: 4 });
        const controller = new AbortController();
        const running = executor.execute(
          { source: { image: session.baseImage }, cmd: 'echo started; sleep 30' },
          { kind: 'none' },
          {
            onStdout: () => controller.abort(new Error('cancelled by the test')),
            onStderr: () => undefined,
          },
          { signal: controller.signal },
        );
        await expect(running).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_EXEC_ABORTED' });
        expect((await session.leftovers()).containers).toEqual([]);
      },
      TIMEOUT,
    );

    clause(
      'SNP-18',
      'runs, snapshots and records a cache miss',
      async (context) => {
        const { use, expect, onTestFinished } = context;
        const session = await endpoint.session(use);
        const executor = await session.executor({ capacity: 4 });
        const host = await mkdtemp(join(tmpdir(), 'berth-execute-'));
        onTestFinished(() => rm(host, { recursive: true, force: true }));
        await writeFile(join(host, 'input.txt'), 'from the host\n');
        const key = 'berth-test/snp18:miss';
        removeAfter(context, session, () => [key]);
        const { lines, sink } = recorder();
        const result = await executor.execute(
          {
            source: { image: session.baseImage },
            cmd: 'cat input.txt > output.txt && cat output.txt && echo "$MODE"',
            env: [['MODE', 'build']],
            workingDir: '/workspace',
            inject: host,
          },
          { kind: 'cache', key },
          sink,
        );
        expect(result).toEqual({ exitCode: 0, snapshot: key, cached: false });
        expect(lines).toEqual(['from the host', 'build']);
        expect(executor.registry.entries().map((entry) => [entry.key, entry.snapshot])).toEqual([[key, key]]);
        await using vm = await session.backend.restore(key);
        const check = recorder();
        expect(await vm.exec('cat /workspace/output.txt', {}, check.sink)).toBe(0);
        expect(check.lines).toEqual(['from the host']);
      },
      TIMEOUT,
    );

    clause(
      'SNP-19',
      'answers a cache hit without running the action',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        const executor = await session.executor({ capacity: 4 });
        const key = 'berth-test/snp19:hit';
        removeAfter(context, session, () => [key]);
        const action = { source: { image: session.baseImage }, cmd: 'echo ran' };
        const first = recorder();
        await executor.execute(action, { kind: 'cache', key }, first.sink);
        expect(first.lines).toEqual(['ran']);
        const second = recorder();
        expect(await executor.execute(action, { kind: 'cache', key }, second.sink)).toEqual({
          exitCode: 0,
          snapshot: key,
          cached: true,
        });
        expect(second.lines).toEqual([]);
      },
      TIMEOUT,
    );

    clause(
      'SNP-20',
      'invalidates a stale cache entry and runs the action again',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        const executor = await session.executor({ capacity: 4 });
        const key = 'berth-test/snp20:stale';
        removeAfter(context, session, () => [key]);
        const action = { source: { image: session.baseImage }, cmd: 'echo ran' };
        await executor.execute(action, { kind: 'cache', key }, recorder().sink);
        await session.backend.removeSnapshot(key);
        const again = recorder();
        expect(await executor.execute(action, { kind: 'cache', key }, again.sink)).toEqual({
          exitCode: 0,
          snapshot: key,
          cached: false,
        });
        expect(again.lines).toEqual(['ran']);
        expect(await session.backend.snapshotExists(key)).toBe(true);
      },
      TIMEOUT,
    );

    clause(
      'SNP-21',
      'records nothing for a failed or an uncached action',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        const executor = await session.executor({ capacity: 4 });
        const failed = await executor.execute(
          { source: { image: session.baseImage }, cmd: 'exit 3' },
          { kind: 'cache', key: 'berth-test/snp21:failed' },
          recorder().sink,
        );
        expect(failed).toEqual({ exitCode: 3, cached: false });
        expect(await session.backend.snapshotExists('berth-test/snp21:failed')).toBe(false);
        const uncached = await executor.execute(
          { source: { image: session.baseImage }, cmd: 'true' },
          { kind: 'none' },
          recorder().sink,
        );
        removeAfter(context, session, () => [uncached.snapshot]);
        expect(uncached).toMatchObject({ exitCode: 0, cached: false });
        expect(uncached.snapshot).toMatch(/^ephemeral:[0-9a-f]{64}$/);
        expect(executor.registry.entries()).toEqual([]);
      },
      TIMEOUT,
    );

    clause(
      'SNP-22',
      'persists the registry as a whole file that a reopened registry reads back',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        const executor = await session.executor({ capacity: 4 });
        const key = 'berth-test/snp22:persisted';
        removeAfter(context, session, () => [key]);
        await executor.execute(
          { source: { image: session.baseImage }, cmd: 'true' },
          { kind: 'cache', key },
          recorder().sink,
        );
        const file = JSON.parse(await readFile(executor.registryPath, 'utf8')) as {
          entries: { key: string }[];
        };
        expect(file.entries.map((entry) => entry.key)).toEqual([key]);
        expect(
          (await readdir(dirname(executor.registryPath))).filter((name) => name.endsWith('.tmp')),
        ).toEqual([]);
        const reopened = await session.executor({ capacity: 4, registryPath: executor.registryPath });
        expect(reopened.registry.entries()).toEqual(executor.registry.entries());
        const hit = recorder();
        expect(
          await reopened.execute(
            { source: { image: session.baseImage }, cmd: 'echo ran' },
            { kind: 'cache', key },
            hit.sink,
          ),
        ).toEqual({
          exitCode: 0,
          snapshot: key,
          cached: true,
        });
      },
      TIMEOUT,
    );

    clause(
      'SNP-23',
      'evicts the least recently used entry, breaking time ties by key',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        // Every entry is used at the same instant: only the key order can decide.
        const executor = await session.executor({ capacity: 2, now: () => 0 });
        const keys = ['berth-test/snp23:c', 'berth-test/snp23:a', 'berth-test/snp23:b'];
        removeAfter(context, session, () => keys);
        for (const key of keys) {
          await executor.execute(
            { source: { image: session.baseImage }, cmd: 'true' },
            { kind: 'cache', key },
            recorder().sink,
          );
        }
        expect(executor.registry.entries().map((entry) => entry.key)).toEqual([
          'berth-test/snp23:b',
          'berth-test/snp23:c',
        ]);
        await executor.idle();
        expect(await session.backend.snapshotExists('berth-test/snp23:a')).toBe(false);
        expect(await session.backend.snapshotExists('berth-test/snp23:c')).toBe(true);
      },
      TIMEOUT,
    );

    clause(
      'SNP-24',
      'defers removing an evicted snapshot until the execution restoring it finishes',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        const executor = await session.executor({ capacity: 1 });
        const parent = 'berth-test/snp24:parent';
        const sibling = 'berth-test/snp24:sibling';
        const made: (string | undefined)[] = [parent, sibling];
        removeAfter(context, session, () => made);
        await executor.execute(
          { source: { image: session.baseImage }, cmd: 'true' },
          { kind: 'cache', key: parent },
          recorder().sink,
        );
        let release = (): void => undefined;
        const started = new Promise<void>((resolve) => (release = resolve));
        const child = executor.execute(
          { source: { snapshot: parent }, cmd: 'echo started; sleep 4' },
          { kind: 'none' },
          { onStdout: () => release(), onStderr: () => undefined },
        );
        await started;
        // The sibling's put evicts the parent while the child still runs from it.
        await executor.execute(
          { source: { image: session.baseImage }, cmd: 'true' },
          { kind: 'cache', key: sibling },
          recorder().sink,
        );
        expect(executor.pendingRemovals()).toEqual([parent]);
        expect(await session.backend.snapshotExists(parent)).toBe(true);
        const childResult = await child;
        made.push(childResult.snapshot);
        expect(childResult.exitCode).toBe(0);
        expect(executor.pendingRemovals()).toEqual([]);
        expect(await session.backend.snapshotExists(parent)).toBe(false);
      },
      TIMEOUT,
    );

    clause(
      'SNP-25',
      'rejects an action that outlives its timeout and removes its container',
      async ({ use, expect }) => {
        const session = await endpoint.session(use);
        const executor = await session.executor({ capacity: 4 });
        await expect(
          executor.execute(
            { source: { image: session.baseImage }, cmd: 'sleep 30', timeoutMs: 300 },
            { kind: 'none' },
            recorder().sink,
          ),
        ).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_EXEC_TIMEOUT' });
        expect((await session.leftovers()).containers).toEqual([]);
      },
      TIMEOUT,
    );
  });
});
