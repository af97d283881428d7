import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { createSystemClock } from './clock.js';
import { DockerEngine } from './docker-engine.js';
import { createIdGenerator, type IdGenerator } from './id-generator.js';
import { DEFAULT_SEED_IMAGES } from './seed-image.js';

useLeakCheck();

function engine(ids: IdGenerator = createIdGenerator('engine-test')): DockerEngine {
  return new DockerEngine({
    clock: createSystemClock(),
    ids,
    architecture: 'amd64',
    os: 'linux',
    engineVersion: '20.10.24+dfsg1',
    paths: { dataRoot: '/var/lib/docker', execRoot: '/var/run/docker', storageDriver: 'vfs' },
    seedImages: DEFAULT_SEED_IMAGES,
  });
}

/** IDs handed out in order (the rest come from a real generator). */
function scriptedIds(...ids: string[]): IdGenerator {
  const fallback = createIdGenerator('scripted');
  return {
    next: (kind) => (kind === 'container' && ids.length > 0 ? (ids.shift() as string) : fallback.next(kind)),
    pick: (kind, n) => fallback.pick(kind, n),
  };
}

const sleeper = { Image: 'local/busybox:1', Cmd: ['sleep', '300'] };
const hex = (first: string, fill: string): string => `${first}${fill.repeat(64 - first.length)}`;

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('IdGenerator', () => {
  it('is deterministic per seed and distinct between seeds', () => {
    const a = createIdGenerator('sim-a');
    const again = createIdGenerator('sim-a');
    const b = createIdGenerator('sim-b');
    const first = a.next('container');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(again.next('container')).toBe(first);
    expect(b.next('container')).not.toBe(first);
    expect(a.next('container')).not.toBe(first);
  });
});

describe('DKR-30 getContainer', () => {
  it('resolves full ID, exact name with or without "/", then a unique prefix', () => {
    const e = engine(scriptedIds(hex('ab1', '0'), hex('ab2', '0'), hex('c', '1')));
    const one = e.createContainer({ name: 'web', platform: '', body: sleeper });
    const two = e.createContainer({ name: 'ab1', platform: '', body: sleeper });
    e.createContainer({ name: '', platform: '', body: sleeper });
    expect(e.getContainer(one.id)).toBe(one);
    expect(e.getContainer('web')).toBe(one);
    expect(e.getContainer('/web')).toBe(one);
    // An exact name wins over an ID prefix.
    expect(e.getContainer('ab1')).toBe(two);
    expect(e.getContainer('ab2')).toBe(two);
    expect(e.getContainer('c')?.name).toMatch(/^\/[a-z]+_[a-z]+$/);
    expect(() => e.getContainer('ab')).toThrow(
      expect.objectContaining({
        code: 'ERR_DOCKERD_SYSTEM',
        message: 'Multiple IDs found with provided prefix: ab',
      }),
    );
    expect(() => e.getContainer('zz')).toThrow(
      expect.objectContaining({ code: 'ERR_DOCKERD_NOT_FOUND', message: 'No such container: zz' }),
    );
    expect(() => e.getContainer('')).toThrow(
      expect.objectContaining({ code: 'ERR_DOCKERD_INVALID_PARAMETER' }),
    );
    expect(() => e.getContainer('AB1' + '0'.repeat(61))).toThrow(
      expect.objectContaining({ code: 'ERR_DOCKERD_NOT_FOUND' }),
    );
  });

  it('matches exec IDs exactly, never by prefix', () => {
    const e = engine();
    const container = e.createContainer({ name: 'x1', platform: '', body: sleeper });
    e.start(container.id);
    const exec = e.createExec(container.id, {
      attachStdin: false,
      attachStdout: true,
      attachStderr: true,
      tty: false,
      cmd: ['true'],
      env: [],
      workingDir: '',
      user: '',
      privileged: false,
      detachKeys: '',
    });
    expect(e.getExec(exec.id)).toBe(exec);
    expect(() => e.getExec(exec.id.slice(0, 12))).toThrow(
      expect.objectContaining({ code: 'ERR_DOCKERD_NOT_FOUND' }),
    );
    e.shutdown();
  });
});

describe('container state machine', () => {
  it('created → running → paused → running → exited, with timestamps and exit codes', async () => {
    const e = engine();
    const c = e.createContainer({ name: 'sm', platform: '', body: sleeper });
    expect(c.status).toBe('created');
    e.start(c.id);
    expect([c.status, c.state.running, c.state.startedAtNs !== undefined]).toEqual(['running', true, true]);
    expect(() => e.start(c.id)).toThrow(expect.objectContaining({ code: 'ERR_DOCKERD_NOT_MODIFIED' }));
    e.pause(c.id);
    expect(c.status).toBe('paused');
    e.unpause(c.id);
    expect(c.status).toBe('running');
    await e.kill(c.id, '');
    expect([c.status, c.state.exitCode, c.state.pid, c.state.finishedAtNs !== undefined]).toEqual([
      'exited',
      137,
      0,
      true,
    ]);
    e.start(c.id);
    expect(c.state.finishedAtNs).toBeDefined();
    await e.stop(c.id, 0);
    expect(c.state.exitCode).toBe(137);
  });

  it('a natural exit records the code, wakes next-exit waiters, and AutoRemove removes', async () => {
    const e = engine();
    const c = e.createContainer({
      name: 'auto',
      platform: '',
      body: { Image: 'local/busybox:1', Cmd: ['sh', '-c', 'exit 9'], HostConfig: { AutoRemove: true } },
    });
    const abort = new AbortController();
    const next = e.wait(c.id, 'next-exit', abort.signal);
    const removed = e.wait(c.id, 'removed', abort.signal);
    e.start(c.id);
    expect(await next).toEqual({ Error: null, StatusCode: 9 });
    expect(await removed).toEqual({ Error: null, StatusCode: 9 });
    expect(() => e.getContainer('auto')).toThrow(expect.objectContaining({ code: 'ERR_DOCKERD_NOT_FOUND' }));
    expect(c.waiters.size).toBe(0);
  });

  it('execs die and are forgotten when their container stops', async () => {
    const e = engine();
    const c = e.createContainer({ name: 'ex', platform: '', body: sleeper });
    e.start(c.id);
    const exec = e.createExec(c.id, {
      attachStdin: false,
      attachStdout: false,
      attachStderr: false,
      tty: false,
      cmd: ['sleep', '300'],
      env: [],
      workingDir: '',
      user: '',
      privileged: false,
      detachKeys: '',
    });
    const exit = e.startExec(exec.id, { stdin: undefined, sink: undefined });
    expect(exec.running).toBe(true);
    await e.stop(c.id, 0);
    expect(await exit).toBe(137);
    expect(e.execs.has(exec.id)).toBe(false);
    expect(c.execIds).toEqual([]);
  });

  it('restart of a running container stops (SIGKILL after t=0) and starts it again', async () => {
    const e = engine();
    const c = e.createContainer({ name: 'rs', platform: '', body: sleeper });
    e.start(c.id);
    const firstPid = c.state.pid;
    await e.restart(c.id, 0);
    await settle();
    expect(c.state.running).toBe(true);
    expect(c.state.pid).not.toBe(firstPid);
    e.shutdown();
  });
});

describe('images', () => {
  it('a committed image is a dependent child: its parent cannot be deleted, even forced', () => {
    const e = engine();
    const c = e.createContainer({
      name: 'src',
      platform: '',
      body: { Image: 'local/busybox:1', Cmd: ['true'] },
    });
    c.fs.writeFile('/new.txt', 'x');
    const id = e.commit({
      container: 'src',
      repo: 'local/child',
      tag: '',
      author: '',
      comment: '',
      pause: true,
      changes: [],
      config: undefined,
    });
    expect(e.images.byId(id)?.layers).toHaveLength(2);
    expect(e.images.references(id).map((ref) => ref.tag)).toEqual(['latest']);
    const parent = e.images.get('local/busybox:1').id;
    expect(() => e.deleteImage(parent.slice(7, 19), true, true)).toThrow(
      expect.objectContaining({
        code: 'ERR_DOCKERD_CONFLICT',
        message: `conflict: unable to delete ${parent.slice(7, 19)} (cannot be forced) - image has dependent child images`,
      }),
    );
    const records = e.deleteImage('local/child', false, true);
    expect(records[0]).toEqual({ Untagged: 'local/child:latest' });
    expect(records[1]).toEqual({ Deleted: id });
    expect(records).toHaveLength(3);
  });
});
