import { describe } from 'vitest';
import {
  RuntimeInternalError,
  RuntimeNotFoundError,
  RuntimeUnsupportedError,
  WrongPlatformError,
} from '../../protocol/runtime-errors.js';
import type { LogEntry, OsKind, RuntimeMarker } from '../../protocol/runtime.js';
import { clause } from '../harness/clause.js';
import { cid, collect, mockRig, receivers, spec } from './dispatch-rig.js';

describe('reads', () => {
  // Upstream D.3 tests 35-41, plus the CMP-14 tail fix.

  const entry = (stream: 'stdout' | 'stderr', message: string, second = 0): LogEntry => ({
    stream,
    message,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  });

  const notFound = (): RuntimeNotFoundError => new RuntimeNotFoundError('svc-rep-1', 'unknown here');

  clause(
    'CMP-14',
    'replays the owner’s log snapshot when no runtime has a native log stream',
    async (context) => {
      const { composite, primary } = await mockRig(context, { delegate: true });
      const id = cid('svc');
      await composite.createContainer(id, spec('nano', { os: 'windows' }));
      primary.script('containerLogs', { value: [entry('stdout', 'line one'), entry('stdout', 'line two')] });
      const body = (await collect(await composite.logsStream(id, {}))).map((chunk) => chunk.data).join('');
      context.expect(body).toBe('line one\nline two\n');
    },
  );

  clause('CMP-14', 'uses the owner’s native log stream first', async (context) => {
    const { composite, journal, vzLinux } = await mockRig(context, { delegate: true, vzLinux: true });
    const id = cid('svc');
    await composite.createContainer(id, spec('alpine'));
    async function* native(): AsyncGenerator<{ stream: 'stdout'; data: string }> {
      yield { stream: 'stdout', data: 'native\n' };
    }
    vzLinux.script('logsStream', { value: native() });
    const chunks = await collect(await composite.logsStream(id, { follow: true }));
    context.expect(chunks).toEqual([{ stream: 'stdout', data: 'native\n' }]);
    context.expect(receivers(journal, 'logsStream', id)).toEqual(['vz-linux']);
  });

  clause('CMP-14', 'asks the snapshot for every line when the tail is all or unset', async (context) => {
    // Upstream turns an unset tail into 1000 lines.
    const { composite, primary } = await mockRig(context);
    const id = cid('svc');
    await composite.createContainer(id, spec('plain:1'));
    const many = Array.from({ length: 1500 }, (_, i) => entry('stdout', `l${i}`));
    primary.script('containerLogs', { value: many }, { value: many });
    context.expect(await collect(await composite.logsStream(id, {}))).toHaveLength(1500);
    context.expect(await collect(await composite.logsStream(id, { tail: 'all' }))).toHaveLength(1500);
    context.expect(primary.callsOf('containerLogs').map((call) => call.args[1])).toEqual(['all', 'all']);
  });

  clause(
    'CMP-15',
    'keeps only the asked channels of a replayed log, both when neither is asked',
    async (context) => {
      const { composite, primary } = await mockRig(context);
      const id = cid('svc');
      await composite.createContainer(id, spec('plain:1'));
      const logs = [entry('stdout', 'out', 1), entry('stderr', 'err', 2)];
      primary.always('containerLogs', { value: logs });
      const streams = async (options: { stdout?: boolean; stderr?: boolean }): Promise<string[]> =>
        (await collect(await composite.logsStream(id, options))).map(
          (chunk) => `${chunk.stream}:${chunk.data}`,
        );
      context.expect(await streams({})).toEqual(['stdout:out\n', 'stderr:err\n']);
      context.expect(await streams({ stdout: true })).toEqual(['stdout:out\n']);
      context.expect(await streams({ stderr: true })).toEqual(['stderr:err\n']);
      context.expect(await streams({ stdout: true, stderr: true })).toEqual(['stdout:out\n', 'stderr:err\n']);
    },
  );

  clause('CMP-15', 'carries timestamps on a replayed log only when asked', async (context) => {
    const { composite, primary } = await mockRig(context);
    const id = cid('svc');
    await composite.createContainer(id, spec('plain:1'));
    primary.always('containerLogs', { value: [entry('stdout', 'x', 5)] });
    const [plain] = await collect(await composite.logsStream(id, {}));
    const [stamped] = await collect(await composite.logsStream(id, { timestamps: true }));
    context.expect(plain).toEqual({ stream: 'stdout', data: 'x\n' });
    context.expect(stamped).toEqual({ stream: 'stdout', data: 'x\n', timestamp: '2026-01-01T00:00:05.000Z' });
  });

  clause(
    'CMP-13',
    'serves a log snapshot from the owner, an empty one counting as an answer',
    async (context) => {
      const { composite, journal, delegate } = await mockRig(context, { delegate: true, vzLinux: true });
      const id = cid('svc');
      const other = cid('other');
      await composite.createContainer(id, spec('alpine', undefined, { 'com.zlayer.isolation': 'vm' }));
      await composite.createContainer(other, spec('alpine', undefined, { 'com.zlayer.isolation': 'vm' }));
      delegate.script(
        'containerLogs',
        { value: [entry('stdout', 'a'), entry('stderr', 'b')] },
        { value: [] },
      );
      context.expect(await composite.containerLogs(id, 10)).toHaveLength(2);
      context.expect(await composite.containerLogs(other, 10)).toEqual([]);
      context.expect(receivers(journal, 'containerLogs')).toEqual(['delegate', 'delegate']);
    },
  );

  clause(
    'CMP-16',
    'builds one stats sample from the owner’s snapshot when no runtime streams stats',
    async (context) => {
      const { composite, primary } = await mockRig(context, { delegate: true });
      const id = cid('svc');
      await composite.createContainer(id, spec('plain:1'));
      primary.script('containerStats', {
        value: { cpuUsageUsec: 1000, memoryBytes: 2048, memoryLimit: 4096 },
      });
      const samples = await collect(await composite.statsStream(id));
      context.expect(samples).toHaveLength(1);
      context.expect(samples[0]).toMatchObject({
        cpuTotalNs: 1_000_000,
        memUsedBytes: 2048,
        memLimitBytes: 4096,
        onlineCpus: 1,
        netRxBytes: 0,
      });
      context.expect(samples[0]?.memUsedBytes).toBeGreaterThan(0);
    },
  );

  clause('CMP-12', 'tries the owner first, then the others in fixed order, each once', async (context) => {
    const { composite, journal, primary, delegate, vz, vzLinux } = await mockRig(context, {
      delegate: true,
      vz: true,
      vzLinux: true,
    });
    const id = cid('svc');
    await composite.createContainer(id, spec('alpine', undefined, { 'com.zlayer.isolation': 'vz' }));
    for (const mock of [primary, delegate, vz, vzLinux]) mock.always('containerLogs', { error: notFound() });
    await context
      .expect(composite.containerLogs(id, 1))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    context
      .expect(receivers(journal, 'containerLogs', id))
      .toEqual(['vz', 'primary', 'delegate', 'vz-linux']);
  });

  clause('CMP-13', 'serves stats from another runtime when the owner cannot', async (context) => {
    const { composite, primary, vzLinux } = await mockRig(context, { vzLinux: true });
    const id = cid('svc');
    await composite.createContainer(id, spec('nano', { os: 'macos' }));
    primary.script('containerStats', { error: new RuntimeUnsupportedError('stats') });
    vzLinux.script('containerStats', { value: { cpuUsageUsec: 7, memoryBytes: 1, memoryLimit: 2 } });
    context
      .expect(await composite.containerStats(id))
      .toEqual({ cpuUsageUsec: 7, memoryBytes: 1, memoryLimit: 2 });
  });

  clause(
    'CMP-13',
    'reports NotFound when every runtime says NotFound, for logs, log and stats streams',
    async (context) => {
      const { composite, primary, delegate } = await mockRig(context, { delegate: true });
      const id = cid('svc');
      await composite.createContainer(id, spec('plain:1'));
      for (const mock of [primary, delegate]) {
        mock.always('containerLogs', { error: notFound() });
        mock.always('containerStats', { error: notFound() });
        mock.always('logsStream', { error: notFound() });
        mock.always('statsStream', { error: notFound() });
      }
      await context
        .expect(composite.containerLogs(id, 'all'))
        .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
      await context
        .expect(composite.logsStream(id, {}))
        .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
      await context
        .expect(composite.statsStream(id))
        .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    },
  );

  clause('CMP-13', 'reports the latest error other than NotFound over NotFound', async (context) => {
    const { composite, primary, delegate } = await mockRig(context, { delegate: true });
    const id = cid('svc');
    await composite.createContainer(id, spec('plain:1'));
    primary.script('containerLogs', { error: new RuntimeInternalError('first') });
    delegate.script('containerLogs', { error: notFound() });
    await context
      .expect(composite.containerLogs(id, 1))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_INTERNAL' });
  });

  clause('CMP-13', 'reports NotFound for reads on a container it never created', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true, vzLinux: true });
    const id = cid('never');
    await context
      .expect(composite.containerLogs(id, 1))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    await context
      .expect(composite.containerStats(id))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    await context
      .expect(composite.logsStream(id, {}))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    await context.expect(composite.statsStream(id)).rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    context.expect(journal).toEqual([]);
  });
});

describe('images', () => {
  // Upstream D.3 tests 18-22, 26-34, 42 and 44-48, plus the CMP-18, CMP-24 and CMP-25 fixes.

  const wrongPlatform = (): WrongPlatformError =>
    new WrongPlatformError('hcs', 'windows', 'linux', 'alpine:latest');
  const rateLimited = (): RuntimeInternalError =>
    new RuntimeInternalError('registry answered 429 Too Many Requests');

  clause(
    'CMP-18',
    'pulls through the primary and then every configured runtime in order',
    async (context) => {
      const { composite, journal } = await mockRig(context, { delegate: true, vz: true, vzLinux: true });
      await composite.pullImage('alpine:latest');
      context.expect(receivers(journal, 'pullImage')).toEqual(['primary', 'delegate', 'vz', 'vz-linux']);
    },
  );

  clause('CMP-18', 'succeeds when a runtime other than the primary fails to pull', async (context) => {
    const { composite, delegate, vzLinux } = await mockRig(context, { delegate: true, vzLinux: true });
    delegate.script('pullImage', { error: new RuntimeInternalError('delegate down') });
    vzLinux.script('pullImage', { error: new RuntimeUnsupportedError('pull') });
    await context.expect(composite.pullImage('alpine:latest')).resolves.toBeUndefined();
  });

  clause('CMP-18', 'skips a primary WrongPlatform and still pulls through the delegate', async (context) => {
    const { composite, journal, primary } = await mockRig(context, { delegate: true });
    primary.script('pullImage', { error: wrongPlatform() });
    await composite.pullImage('alpine:latest');
    context.expect(receivers(journal, 'pullImage')).toEqual(['primary', 'delegate']);
  });

  clause(
    'CMP-18',
    'fails at once on any other primary pull error, asking no other runtime or inspector',
    async (context) => {
      const facet = context.use('dispatch');
      const osInspector = facet.imageInspector<OsKind>({ caches: [{ 'alpine:latest': 'linux' }] });
      const { composite, journal, primary } = await mockRig(context, {
        delegate: true,
        vzLinux: true,
        osInspector,
      });
      primary.script('pullImage', { error: new RuntimeInternalError('boom') });
      await context
        .expect(composite.pullImage('alpine:latest'))
        .rejects.toMatchObject({ code: 'ERR_RUNTIME_INTERNAL' });
      context.expect(receivers(journal, 'pullImage')).toEqual(['primary']);
      context.expect(osInspector.asked).toEqual([]);
    },
  );

  clause('CMP-18', 'fails the pull when no runtime stored the image', async (context) => {
    // Upstream reports success here.
    const { composite, primary, delegate } = await mockRig(context, { delegate: true });
    primary.script('pullImage', { error: wrongPlatform() });
    delegate.script('pullImage', { error: new RuntimeInternalError('delegate down') });
    await context
      .expect(composite.pullImage('alpine:latest'))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_PULL_FAILED' });
    const alone = await mockRig(context);
    alone.primary.script('pullImage', { error: wrongPlatform() });
    await context
      .expect(alone.composite.pullImage('alpine:latest'))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_PULL_FAILED' });
  });

  clause(
    'CMP-20',
    'finds the image OS in a later local cache when an earlier one misses',
    async (context) => {
      const facet = context.use('dispatch');
      const osInspector = facet.imageInspector<OsKind>({ caches: [{}, { 'acme/app:2': 'linux' }] });
      const { composite, journal } = await mockRig(context, { vzLinux: true, osInspector });
      await composite.pullImage('acme/app:2');
      await composite.createContainer(
        cid('svc'),
        spec('acme/app:2', undefined, { 'com.zlayer.isolation': 'other' }),
      );
      context.expect(receivers(journal, 'createContainer')).toEqual(['vz-linux']);
      context.expect(osInspector.asked).toEqual(['acme/app:2']);
    },
  );

  clause('CMP-20', 'finds a bare reference in a cache seeded with the qualified one', async (context) => {
    const facet = context.use('dispatch');
    const osInspector = facet.imageInspector<OsKind>({
      caches: [{ 'docker.io/library/alpine:latest': 'linux' }],
    });
    const { composite, journal } = await mockRig(context, { delegate: true, osInspector });
    await composite.pullImage('alpine:latest');
    await composite.createContainer(cid('svc'), spec('alpine:latest'));
    context.expect(receivers(journal, 'createContainer')).toEqual(['delegate']);
  });

  clause(
    'CMP-20',
    'stops at the first cache that fails, so a later cache’s answer is not used',
    async (context) => {
      const facet = context.use('dispatch');
      const osInspector = facet.imageInspector<OsKind>({
        caches: [{ 'acme/app:1': new Error('corrupt blob') }, { 'acme/app:1': 'linux' }],
      });
      const { composite, journal } = await mockRig(context, { delegate: true, osInspector });
      await composite.pullImage('acme/app:1');
      await composite.createContainer(cid('svc'), spec('acme/app:1'));
      context.expect(receivers(journal, 'createContainer')).toEqual(['primary']);
    },
  );

  clause('CMP-21', 'records a found image OS on pull and uses it for later creates', async (context) => {
    const facet = context.use('dispatch');
    const osInspector = facet.imageInspector<OsKind>({ caches: [{ 'acme/app:1': 'linux' }] });
    const { composite, journal } = await mockRig(context, { delegate: true, osInspector });
    await composite.createContainer(cid('before'), spec('acme/app:1'));
    await composite.pullImage('acme/app:1');
    await composite.createContainer(cid('after'), spec('acme/app:1'));
    context.expect(receivers(journal, 'createContainer')).toEqual(['primary', 'delegate']);
  });

  clause('CMP-21', 'keeps what it knew when a later inspection finds nothing or fails', async (context) => {
    const facet = context.use('dispatch');
    let answer: () => Promise<OsKind | undefined> = () => Promise.resolve('linux');
    const osInspector = facet.imageInspector<OsKind>({ remote: () => answer() });
    const { composite, journal } = await mockRig(context, { delegate: true, osInspector });
    await composite.pullImage('acme/app:1');
    answer = () => Promise.resolve(undefined);
    await composite.pullImage('acme/app:1');
    answer = () => Promise.reject(rateLimited());
    await composite.pullImage('acme/app:1');
    await composite.createContainer(cid('svc'), spec('acme/app:1'));
    context.expect(receivers(journal, 'createContainer')).toEqual(['delegate']);
  });

  clause(
    'CMP-21',
    'never fails a pull because inspection failed, and learns nothing from it',
    async (context) => {
      const facet = context.use('dispatch');
      const osInspector = facet.imageInspector<OsKind>({ remote: () => Promise.reject(rateLimited()) });
      const markerInspector = facet.imageInspector<RuntimeMarker>({
        caches: [{ 'acme/app:1': new Error('io') }],
      });
      const { composite, journal } = await mockRig(context, {
        delegate: true,
        vz: true,
        osInspector,
        markerInspector,
      });
      await context.expect(composite.pullImage('acme/app:1')).resolves.toBeUndefined();
      await composite.createContainer(cid('svc'), spec('acme/app:1'));
      context.expect(receivers(journal, 'createContainer')).toEqual(['primary']);
    },
  );

  clause(
    'CMP-22',
    'uses a local marker without asking the registry, which a 429 cannot then disturb',
    async (context) => {
      const facet = context.use('dispatch');
      let remoteAsked = 0;
      const markerInspector = facet.imageInspector<RuntimeMarker>({
        caches: [{ 'registry.invalid/acme/bundle:1': 'vz' }],
        remote: () => {
          remoteAsked += 1;
          return Promise.reject(rateLimited());
        },
      });
      const { composite, journal } = await mockRig(context, { vz: true, markerInspector });
      await composite.pullImage('registry.invalid/acme/bundle:1');
      await composite.createContainer(cid('svc'), spec('registry.invalid/acme/bundle:1'));
      context.expect(receivers(journal, 'createContainer')).toEqual(['vz']);
      context.expect(remoteAsked).toBe(0);
    },
  );

  clause(
    'CMP-22',
    'learns a marker from the registry after a local miss, and shrugs off a 429',
    async (context) => {
      const facet = context.use('dispatch');
      let remote: () => Promise<RuntimeMarker | undefined> = () => Promise.reject(rateLimited());
      const markerInspector = facet.imageInspector<RuntimeMarker>({ caches: [{}], remote: () => remote() });
      const { composite, journal } = await mockRig(context, { vzLinux: true, markerInspector });
      await composite.pullImage('registry.invalid/acme/linux:1');
      await composite.createContainer(cid('a'), spec('registry.invalid/acme/linux:1', { os: 'windows' }));
      remote = () => Promise.resolve('vz-linux');
      await composite.pullImage('registry.invalid/acme/linux:1');
      await composite.createContainer(cid('b'), spec('registry.invalid/acme/linux:1', { os: 'windows' }));
      context.expect(receivers(journal, 'createContainer')).toEqual(['primary', 'vz-linux']);
    },
  );

  clause('CMP-23', 'merges every runtime’s image list, de-duplicated by reference', async (context) => {
    const { composite, primary, delegate, vzLinux } = await mockRig(context, {
      delegate: true,
      vzLinux: true,
    });
    primary.script('listImages', {
      value: [
        { reference: 'a:1', size: 1 },
        { reference: 'b:1', size: 2 },
      ],
    });
    delegate.script('listImages', {
      value: [
        { reference: 'b:1', size: 99 },
        { reference: 'c:1', size: 3 },
      ],
    });
    vzLinux.script('listImages', { value: [] });
    context.expect(await composite.listImages()).toEqual([
      { reference: 'a:1', size: 1 },
      { reference: 'b:1', size: 2 },
      { reference: 'c:1', size: 3 },
    ]);
  });

  clause('CMP-23', 'lists vz-linux’s images alone when the primary cannot list', async (context) => {
    const { composite, primary, vzLinux } = await mockRig(context, { vzLinux: true });
    primary.script('listImages', { error: new RuntimeUnsupportedError('list_images') });
    vzLinux.script('listImages', { value: [{ reference: 'alpine:latest', size: 5 }] });
    context.expect(await composite.listImages()).toEqual([{ reference: 'alpine:latest', size: 5 }]);
  });

  clause('CMP-23', 'fails a listing only when every runtime failed', async (context) => {
    const { composite, primary, delegate } = await mockRig(context, { delegate: true });
    primary.script('listImages', { error: new RuntimeUnsupportedError('list_images') });
    delegate.script('listImages', { error: new RuntimeUnsupportedError('list_images') });
    await context.expect(composite.listImages()).rejects.toMatchObject({ code: 'ERR_RUNTIME_UNSUPPORTED' });
  });

  clause('CMP-23', 'merges container listings across runtimes', async (context) => {
    const facet = context.use('dispatch');
    const primary = facet.fakeRuntime('primary');
    const vzLinux = facet.fakeRuntime('vz-linux');
    const composite = await facet.create({ primary, vzLinux });
    await composite.createContainer(cid('mac'), spec('tool:1', { os: 'macos' }));
    await composite.createContainer(cid('lin'), spec('alpine:latest'));
    const ids = (await composite.listContainers()).map((container) => container.id);
    context.expect(ids).toEqual(['mac-rep-1', 'lin-rep-1']);
  });

  clause('CMP-24', 'removes and tags an image on every runtime, vz ones included', async (context) => {
    // Upstream tries the primary, then only the delegate on error.
    const { composite, journal, delegate } = await mockRig(context, {
      delegate: true,
      vz: true,
      vzLinux: true,
    });
    delegate.script('removeImage', { error: new RuntimeNotFoundError('alpine:latest', 'no such image') });
    await composite.removeImage('alpine:latest');
    await composite.tagImage('alpine:latest', 'alpine:mine');
    context.expect(receivers(journal, 'removeImage')).toEqual(['primary', 'delegate', 'vz', 'vz-linux']);
    context.expect(receivers(journal, 'tagImage')).toEqual(['primary', 'delegate', 'vz', 'vz-linux']);
  });

  clause('CMP-24', 'fails an image remove only when every runtime failed', async (context) => {
    const { composite, primary, vzLinux } = await mockRig(context, { vzLinux: true });
    primary.script('removeImage', { error: new RuntimeNotFoundError('x:1', 'no such image') });
    vzLinux.script('removeImage', { error: new RuntimeNotFoundError('x:1', 'no such image') });
    await context
      .expect(composite.removeImage('x:1'))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
  });

  clause('CMP-25', 'prunes the delegate when the primary cannot prune', async (context) => {
    const { composite, journal, primary, delegate } = await mockRig(context, { delegate: true });
    primary.script('pruneImages', { error: new RuntimeUnsupportedError('prune_images') });
    delegate.script('pruneImages', { value: { deleted: ['sha256:a', 'sha256:b'], spaceReclaimed: 4096 } });
    context
      .expect(await composite.pruneImages())
      .toEqual({ deleted: ['sha256:a', 'sha256:b'], spaceReclaimed: 4096 });
    context.expect(receivers(journal, 'pruneImages')).toEqual(['primary', 'delegate']);
  });

  clause('CMP-25', 'prunes every runtime and merges what they reclaimed', async (context) => {
    // Upstream never prunes vz or vz-linux.
    const { composite, primary, vz, vzLinux } = await mockRig(context, {
      delegate: true,
      vz: true,
      vzLinux: true,
    });
    primary.script('pruneImages', { value: { deleted: ['p'], spaceReclaimed: 1 } });
    vz.script('pruneImages', { value: { deleted: ['v'], spaceReclaimed: 2 } });
    vzLinux.script('pruneImages', { value: { deleted: ['l'], spaceReclaimed: 4 } });
    context.expect(await composite.pruneImages()).toEqual({ deleted: ['p', 'v', 'l'], spaceReclaimed: 7 });
  });
});
