import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { ClauseContext } from '../harness/clause.js';
import { clause } from '../harness/clause.js';
import { describeEndpoints, type SnapshotSession } from './snapshot-endpoints.js';

const TIMEOUT = { timeoutMs: 60_000 };

interface Lines {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly sink: { onStdout(line: string): void; onStderr(line: string): void };
}

function collect(): Lines {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    sink: { onStdout: (line) => stdout.push(line), onStderr: (line) => stderr.push(line) },
  };
}

/** Removes `snapshot` after the test, whatever happened. */
function keepUntilFinished(context: ClauseContext, session: SnapshotSession, snapshot: string): void {
  context.onTestFinished(() => session.backend.removeSnapshot(snapshot).catch(() => undefined));
}

/** A container ID is 64 lower-case hex characters. */
const CONTAINER_ID = /^[0-9a-f]{64}$/;

describe('snapshot backend', () => {
  describeEndpoints((endpoint) => {
    clause(
      'SNP-1',
      'creates a running VM from an image present on the daemon',
      async ({ use, expect }) => {
        const session = await endpoint.session(use);
        await using vm = await session.backend.create(session.baseImage);
        expect(vm.containerId).toMatch(CONTAINER_ID);
        const lines = collect();
        expect(await vm.exec('echo up', {}, lines.sink)).toBe(0);
        expect(lines.stdout).toEqual(['up']);
      },
      TIMEOUT,
    );

    clause(
      'SNP-2',
      'removes a container that failed to start',
      async ({ use, expect, requireFeature }) => {
        const session = await endpoint.session(use);
        const armed = await session.failNextStart();
        requireFeature(
          'start fault injection',
          armed,
          `${session.description} cannot fail a start on demand`,
        );
        await expect(session.backend.create(session.baseImage)).rejects.toMatchObject({
          code: 'ERR_SNAPSHOT_START_FAILED',
        });
        expect((await session.leftovers()).containers).toEqual([]);
      },
      TIMEOUT,
    );

    clause(
      'SNP-3',
      'restores the files a snapshot captured, and rejects a missing snapshot',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        let snapshot: string;
        {
          await using vm = await session.backend.create(session.baseImage);
          expect(await vm.exec('echo captured > /tmp/mark', {}, collect().sink)).toBe(0);
          snapshot = await vm.snapshot({ kind: 'ephemeral' });
          keepUntilFinished(context, session, snapshot);
        }
        await using restored = await session.backend.restore(snapshot);
        const lines = collect();
        expect(await restored.exec('cat /tmp/mark', {}, lines.sink)).toBe(0);
        expect(lines.stdout).toEqual(['captured']);
        await expect(session.backend.restore('berth-missing/never:here')).rejects.toMatchObject({
          code: 'ERR_SNAPSHOT_CREATE_FAILED',
        });
      },
      TIMEOUT,
    );

    clause(
      'SNP-4',
      'runs sh -c with env and working directory, splitting stdout and stderr lines',
      async ({ use, expect }) => {
        const session = await endpoint.session(use);
        await using vm = await session.backend.create(session.baseImage);
        const lines = collect();
        const code = await vm.exec(
          'mkdir -p /tmp/wd && cd /tmp/wd && pwd && echo "$GREETING $WHO"; echo oops >&2; exit 7',
          {
            env: [
              ['GREETING', 'hello'],
              ['WHO', 'world'],
            ],
          },
          lines.sink,
        );
        expect(code).toBe(7);
        expect(lines.stdout).toEqual(['/tmp/wd', 'hello world']);
        expect(lines.stderr).toEqual(['oops']);
        const inDir = collect();
        expect(await vm.exec('pwd', { workingDir: '/tmp/wd' }, inDir.sink)).toBe(0);
        expect(inDir.stdout).toEqual(['/tmp/wd']);
      },
      TIMEOUT,
    );

    clause(
      'SNP-5',
      'injects a host directory, nested contents included, into a new guest directory',
      async ({ use, expect, onTestFinished }) => {
        const session = await endpoint.session(use);
        const host = await mkdtemp(join(tmpdir(), 'berth-inject-'));
        onTestFinished(() => rm(host, { recursive: true, force: true }));
        await writeFile(join(host, 'top.txt'), 'top\n');
        await mkdir(join(host, 'nested', 'deeper'), { recursive: true });
        await writeFile(join(host, 'nested', 'deeper', 'leaf.txt'), 'leaf\n');
        await using vm = await session.backend.create(session.baseImage);
        await vm.inject(host, '/work/space');
        const lines = collect();
        expect(
          await vm.exec('cat top.txt nested/deeper/leaf.txt', { workingDir: '/work/space' }, lines.sink),
        ).toBe(0);
        expect(lines.stdout).toEqual(['top', 'leaf']);
      },
      TIMEOUT,
    );

    clause(
      'SNP-6',
      'names ephemeral and cached snapshots as documented',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        await using vm = await session.backend.create(session.baseImage);
        const ephemeral = await vm.snapshot({ kind: 'ephemeral' });
        keepUntilFinished(context, session, ephemeral);
        expect(ephemeral).toBe(`ephemeral:${vm.containerId}`);
        const tagged = await vm.snapshot({ kind: 'cached', key: 'berth-test/snp6:abc123' });
        keepUntilFinished(context, session, tagged);
        expect(tagged).toBe('berth-test/snp6:abc123');
        const untagged = await vm.snapshot({ kind: 'cached', key: 'berth-test/snp6' });
        keepUntilFinished(context, session, untagged);
        expect(untagged).toBe(`berth-test/snp6:${vm.containerId}`);
        for (const snapshot of [ephemeral, tagged, untagged]) {
          expect(await session.backend.snapshotExists(snapshot), snapshot).toBe(true);
        }
      },
      TIMEOUT,
    );

    clause(
      'SNP-7',
      'destroys once, idempotently, and refuses later use',
      async ({ use, expect }) => {
        const session = await endpoint.session(use);
        const vm = await session.backend.create(session.baseImage);
        await vm.destroy();
        expect((await session.leftovers()).containers).toEqual([]);
        await expect(vm.destroy()).resolves.toBeUndefined();
        const refused = { code: 'ERR_SNAPSHOT_VM_DESTROYED' };
        await expect(vm.exec('true', {}, collect().sink)).rejects.toMatchObject(refused);
        await expect(vm.snapshot({ kind: 'ephemeral' })).rejects.toMatchObject(refused);
        await expect(vm.inject(tmpdir(), '/x')).rejects.toMatchObject(refused);
      },
      TIMEOUT,
    );

    clause(
      'SNP-8',
      'removes the container when a VM is disposed',
      async ({ use, expect }) => {
        const session = await endpoint.session(use);
        {
          await using vm = await session.backend.create(session.baseImage);
          expect((await session.leftovers()).containers).toEqual([vm.containerId]);
        }
        expect((await session.leftovers()).containers).toEqual([]);
      },
      TIMEOUT,
    );

    clause(
      'SNP-9',
      'removes a snapshot image, and rejects removing a missing one',
      async ({ use, expect }) => {
        const session = await endpoint.session(use);
        let snapshot: string;
        {
          await using vm = await session.backend.create(session.baseImage);
          snapshot = await vm.snapshot({ kind: 'cached', key: 'berth-test/snp9:one' });
        }
        await session.backend.removeSnapshot(snapshot);
        expect((await session.leftovers()).images).toEqual([]);
        await expect(session.backend.removeSnapshot(snapshot)).rejects.toMatchObject({
          code: 'ERR_SNAPSHOT_REMOVE_FAILED',
        });
      },
      TIMEOUT,
    );

    clause(
      'SNP-10',
      'reports a snapshot as existing exactly while its reference is present',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        await using vm = await session.backend.create(session.baseImage);
        const snapshot = await vm.snapshot({ kind: 'cached', key: 'berth-test/snp10:present' });
        keepUntilFinished(context, session, snapshot);
        expect(await session.backend.snapshotExists(snapshot)).toBe(true);
        expect(await session.backend.snapshotExists('berth-test/snp10:other')).toBe(false);
        await session.backend.removeSnapshot(snapshot);
        expect(await session.backend.snapshotExists(snapshot)).toBe(false);
      },
      TIMEOUT,
    );

    clause(
      'SNP-11',
      'clears the entrypoint of the image a VM is created from',
      async ({ use, expect, onTestFinished }) => {
        const session = await endpoint.session(use);
        const image = await session.imageWithEntrypoint(['false']);
        onTestFinished(() => session.backend.removeSnapshot(image).catch(() => undefined));
        await using vm = await session.backend.create(image);
        const lines = collect();
        expect(await vm.exec('echo alive', {}, lines.sink)).toBe(0);
        expect(lines.stdout).toEqual(['alive']);
      },
      TIMEOUT,
    );

    clause(
      'SNP-15',
      'keeps a registry port in the repository of a cached key',
      async (context) => {
        const { use, expect } = context;
        const session = await endpoint.session(use);
        await using vm = await session.backend.create(session.baseImage);
        const snapshot = await vm.snapshot({ kind: 'cached', key: 'localhost:5000/berth-test/snp15:v1' });
        keepUntilFinished(context, session, snapshot);
        expect(snapshot).toBe('localhost:5000/berth-test/snp15:v1');
        expect(await session.backend.snapshotExists(snapshot)).toBe(true);
        const untagged = await vm.snapshot({ kind: 'cached', key: 'localhost:5000/berth-test/snp15' });
        keepUntilFinished(context, session, untagged);
        expect(untagged).toBe(`localhost:5000/berth-test/snp15:${vm.containerId}`);
      },
      TIMEOUT,
    );
  });
});
