import { profileRuns } from '../support/profile.js';
import fc from 'fast-check';
import { describe } from 'vitest';
import { RuntimeInternalError, RuntimeNotFoundError } from '../../protocol/runtime-errors.js';
import { dispatchConfigArb, imageKnowledgeArb } from '../support/arbitraries/dispatch.js';
import { clause } from '../harness/clause.js';
import { dispatchCommandsArb, DispatchModel, type DispatchSystem, type Owner } from './dispatch-model.js';
import { caught, cid, isolation, mockRig, receivers, spec } from './dispatch-rig.js';

describe('selection on create', () => {
  // Upstream D.3 tests 1-24 (select_for), mapped onto CMP-1..CMP-7.

  clause('CMP-4', 'sends a Windows-platform spec to the primary, for create and start', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true });
    const id = cid('win-svc');
    await composite.createContainer(
      id,
      spec('mcr.microsoft.com/windows/nanoserver:ltsc2022', { os: 'windows' }),
    );
    await composite.startContainer(id);
    context.expect(receivers(journal, 'createContainer', id)).toEqual(['primary']);
    context.expect(receivers(journal, 'startContainer', id)).toEqual(['primary']);
  });

  clause('CMP-4', 'sends a Linux-platform spec to the delegate, for create and start', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true });
    const id = cid('lin-svc');
    await composite.createContainer(id, spec('alpine:latest', { os: 'linux' }));
    await composite.startContainer(id);
    context.expect(receivers(journal, 'createContainer', id)).toEqual(['delegate']);
    context.expect(receivers(journal, 'startContainer', id)).toEqual(['delegate']);
  });

  clause(
    'CMP-4',
    'fails a Linux-platform spec with RouteToPeer naming both fixes when no Linux runtime exists',
    async (context) => {
      const { composite, journal } = await mockRig(context);
      const failure = await caught(
        composite.createContainer(cid('lin-svc'), spec('alpine:latest', { os: 'linux' })),
      );
      context
        .expect(failure)
        .toMatchObject({ code: 'ERR_RUNTIME_ROUTE_TO_PEER', service: 'lin-svc', requiredOs: 'linux' });
      context.expect(failure.reason).toMatch(/--install-wsl yes[\s\S]*Linux peer/);
      context.expect(journal).toEqual([]);
      // Nothing was recorded: the id is still unknown.
      await context
        .expect(composite.startContainer(cid('lin-svc')))
        .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    },
  );

  clause('CMP-4', 'sends a macOS-platform spec to the primary', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true });
    await composite.createContainer(cid('mac-svc'), spec('ghcr.io/acme/mac-tool:1', { os: 'macos' }));
    context.expect(receivers(journal, 'createContainer')).toEqual(['primary']);
  });

  clause('CMP-4', 'prefers vz-linux over the delegate for a Linux-platform spec', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true, vzLinux: true });
    await composite.createContainer(cid('lin'), spec('alpine:latest', { os: 'linux' }));
    context.expect(receivers(journal, 'createContainer')).toEqual(['vz-linux']);
  });

  clause(
    'CMP-4',
    'sends a Windows-platform spec to the primary even when a pull learned the image is Linux',
    async (context) => {
      const facet = context.use('dispatch');
      const osInspector = facet.imageInspector({ caches: [{ 'acme/tool:1': 'linux' as const }] });
      const { composite, journal } = await mockRig(context, { delegate: true, osInspector });
      await composite.pullImage('acme/tool:1');
      await composite.createContainer(cid('svc'), spec('acme/tool:1', { os: 'windows' }));
      context.expect(receivers(journal, 'createContainer')).toEqual(['primary']);
    },
  );

  clause(
    'CMP-6',
    'falls through to the primary when nothing is known, even with a delegate',
    async (context) => {
      const { composite, journal } = await mockRig(context, { delegate: true });
      await composite.createContainer(cid('svc'), spec('unknown/image:1'));
      context.expect(receivers(journal, 'createContainer')).toEqual(['primary']);
    },
  );

  clause(
    'CMP-6',
    'falls through to the primary when only a vz runtime is configured and the image is unmarked',
    async (context) => {
      const { composite, journal } = await mockRig(context, { delegate: true, vz: true });
      await composite.createContainer(cid('svc'), spec('unmarked/image:1'));
      context.expect(receivers(journal, 'createContainer')).toEqual(['primary']);
    },
  );

  clause(
    'CMP-6',
    'defaults to vz-linux when nothing is known and vz-linux is configured',
    async (context) => {
      const { composite, journal } = await mockRig(context, { delegate: true, vzLinux: true });
      await composite.createContainer(cid('svc'), spec('unknown/image:1'));
      context.expect(receivers(journal, 'createContainer')).toEqual(['vz-linux']);
    },
  );

  clause('CMP-5', 'uses the image OS a pull learned when the spec has no platform', async (context) => {
    const facet = context.use('dispatch');
    const osInspector = facet.imageInspector({ caches: [{ 'alpine:latest': 'linux' as const }] });
    const { composite, journal } = await mockRig(context, { delegate: true, osInspector });
    await composite.pullImage('alpine:latest');
    await composite.createContainer(cid('svc'), spec('alpine:latest'));
    context.expect(receivers(journal, 'createContainer')).toEqual(['delegate']);
  });

  clause(
    'CMP-5',
    'fails with RouteToPeer naming the image when a Linux image has no Linux runtime',
    async (context) => {
      const facet = context.use('dispatch');
      const osInspector = facet.imageInspector({ caches: [{ 'acme/linux-only:2': 'linux' as const }] });
      const { composite } = await mockRig(context, { osInspector });
      await composite.pullImage('acme/linux-only:2');
      const failure = await caught(composite.createContainer(cid('svc'), spec('acme/linux-only:2')));
      context.expect(failure).toMatchObject({ code: 'ERR_RUNTIME_ROUTE_TO_PEER', requiredOs: 'linux' });
      context.expect(failure.reason).toMatch(/acme\/linux-only:2[\s\S]*--install-wsl[\s\S]*Linux peer/);
    },
  );

  clause('CMP-5', 'prefers vz-linux for an image a pull learned is Linux', async (context) => {
    const facet = context.use('dispatch');
    const osInspector = facet.imageInspector({ caches: [{ 'alpine:latest': 'linux' as const }] });
    const { composite, journal } = await mockRig(context, { delegate: true, vzLinux: true, osInspector });
    await composite.pullImage('alpine:latest');
    await composite.createContainer(cid('svc'), spec('alpine:latest'));
    context.expect(receivers(journal, 'createContainer')).toEqual(['vz-linux']);
  });

  clause(
    'CMP-5',
    'sends an image a pull learned is macOS (OCI darwin) to the primary despite vz-linux',
    async (context) => {
      const facet = context.use('dispatch');
      const osInspector = facet.imageInspector({ caches: [{ 'acme/mac:1': 'macos' as const }] });
      const { composite, journal } = await mockRig(context, { vzLinux: true, osInspector });
      await composite.pullImage('acme/mac:1');
      await composite.createContainer(cid('svc'), spec('acme/mac:1'));
      context.expect(receivers(journal, 'createContainer')).toEqual(['primary']);
    },
  );

  clause(
    'CMP-2',
    'sends an image marked vz to the vz runtime, even over a Linux platform',
    async (context) => {
      const facet = context.use('dispatch');
      const markerInspector = facet.imageInspector({ caches: [{ 'acme/bundle:1': 'vz' as const }] });
      const { composite, journal } = await mockRig(context, { delegate: true, vz: true, markerInspector });
      await composite.pullImage('acme/bundle:1');
      await composite.createContainer(cid('svc'), spec('acme/bundle:1', { os: 'linux' }));
      context.expect(receivers(journal, 'createContainer')).toEqual(['vz']);
    },
  );

  clause('CMP-3', 'sends an image marked vz-linux to the vz-linux runtime', async (context) => {
    const facet = context.use('dispatch');
    const markerInspector = facet.imageInspector({
      caches: [{ 'acme/linux-bundle:1': 'vz-linux' as const }],
    });
    const { composite, journal } = await mockRig(context, { delegate: true, vzLinux: true, markerInspector });
    await composite.pullImage('acme/linux-bundle:1');
    await composite.createContainer(cid('svc'), spec('acme/linux-bundle:1', { os: 'windows' }));
    context.expect(receivers(journal, 'createContainer')).toEqual(['vz-linux']);
  });

  clause('CMP-1', 'forces vz with the isolation label', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true, vz: true });
    await composite.createContainer(cid('svc'), spec('plain:1', { os: 'linux' }, isolation('VZ')));
    context.expect(receivers(journal, 'createContainer')).toEqual(['vz']);
  });

  clause('CMP-1', 'forces vz-linux with the isolation label', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true, vzLinux: true });
    await composite.createContainer(cid('svc'), spec('plain:1', { os: 'windows' }, isolation('vz-linux')));
    context.expect(receivers(journal, 'createContainer')).toEqual(['vz-linux']);
  });

  clause('CMP-1', 'forces the delegate with the vm or libkrun label, even over vz-linux', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true, vzLinux: true });
    await composite.createContainer(cid('a'), spec('plain:1', { os: 'linux' }, isolation('vm')));
    await composite.createContainer(cid('b'), spec('plain:1', undefined, isolation('LibKrun')));
    context.expect(receivers(journal, 'createContainer')).toEqual(['delegate', 'delegate']);
  });

  clause('CMP-1', 'forces the primary with the sandbox label, even over a vz marker', async (context) => {
    const facet = context.use('dispatch');
    const markerInspector = facet.imageInspector({ caches: [{ 'acme/bundle:1': 'vz' as const }] });
    const { composite, journal } = await mockRig(context, { vz: true, vzLinux: true, markerInspector });
    await composite.pullImage('acme/bundle:1');
    await composite.createContainer(cid('a'), spec('acme/bundle:1', undefined, isolation('sandbox')));
    await composite.createContainer(cid('b'), spec('acme/bundle:1', { os: 'linux' }, isolation('Seatbelt')));
    context.expect(receivers(journal, 'createContainer')).toEqual(['primary', 'primary']);
  });

  clause('CMP-1', 'ignores a label whose runtime is missing, and an unknown label', async (context) => {
    const { composite, journal } = await mockRig(context, { delegate: true });
    await composite.createContainer(cid('a'), spec('plain:1', { os: 'linux' }, isolation('vz')));
    await composite.createContainer(cid('b'), spec('plain:1', undefined, isolation('firecracker')));
    context.expect(receivers(journal, 'createContainer')).toEqual(['delegate', 'primary']);
  });

  clause(
    'CMP-7',
    'applies what a pull learned to every spelling of the same image reference',
    async (context) => {
      // Upstream keys its image caches by the exact string, so both creates below go to the primary there.
      const facet = context.use('dispatch');
      const osInspector = facet.imageInspector({
        caches: [{ 'docker.io/library/alpine:latest': 'linux' as const, 'busybox:latest': 'linux' as const }],
      });
      const { composite, journal } = await mockRig(context, { delegate: true, osInspector });
      await composite.pullImage('docker.io/library/alpine:latest');
      await composite.pullImage('busybox');
      await composite.createContainer(cid('a'), spec('alpine:latest'));
      await composite.createContainer(cid('b'), spec('docker.io/library/busybox:latest'));
      context.expect(receivers(journal, 'createContainer')).toEqual(['delegate', 'delegate']);
    },
  );
});

describe('per-container calls', () => {
  // Upstream D.3 tests 25 and 43, plus the CMP-8, CMP-11 and CMP-26 fixes.

  clause(
    'CMP-10',
    'keeps each container on its runtime through create, start, stop and remove',
    async (context) => {
      const { composite, journal } = await mockRig(context, { delegate: true });
      const id = cid('svc');
      await composite.createContainer(id, spec('plain:1', { os: 'windows' }));
      await composite.startContainer(id);
      await composite.stopContainer(id, 10_000);
      await composite.removeContainer(id);
      context
        .expect(journal.map((call) => `${call.runtime}.${call.method}`))
        .toEqual([
          'primary.createContainer',
          'primary.startContainer',
          'primary.stopContainer',
          'primary.removeContainer',
        ]);
      await context
        .expect(composite.startContainer(id))
        .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    },
  );

  clause(
    'CMP-10',
    'forwards state, exec (with user, cwd and env), wait, rename and kill to the owner only',
    async (context) => {
      const { composite, journal, delegate } = await mockRig(context, { delegate: true });
      const id = cid('lin');
      await composite.createContainer(id, spec('alpine:latest', { os: 'linux' }));
      delegate.script('containerState', { value: 'exited' });
      delegate.script('execWithOpts', { value: { exitCode: 3, stdout: 'out', stderr: 'err' } });
      delegate.script('waitContainer', { value: 42 });
      const options = { command: ['id'], user: 'nobody', cwd: '/tmp', env: { A: '1' } };
      context.expect(await composite.containerState(id)).toBe('exited');
      await composite.exec(id, ['true']);
      context
        .expect(await composite.execWithOpts(id, options))
        .toEqual({ exitCode: 3, stdout: 'out', stderr: 'err' });
      context.expect(await composite.waitContainer(id)).toBe(42);
      await composite.renameContainer(id, 'renamed');
      await composite.killContainer(id, 'SIGTERM');
      context.expect(new Set(journal.map((call) => call.runtime))).toEqual(new Set(['delegate']));
      context.expect(delegate.callsOf('execWithOpts')[0]?.args[1]).toEqual(options);
      context.expect(delegate.callsOf('killContainer')[0]?.args[1]).toBe('SIGTERM');
    },
  );

  clause(
    'CMP-9',
    'answers NotFound for per-container calls on a container it never created',
    async (context) => {
      const { composite, journal } = await mockRig(context, { delegate: true, vz: true, vzLinux: true });
      const id = cid('ghost');
      for (const call of [
        () => composite.startContainer(id),
        () => composite.stopContainer(id, 1),
        () => composite.exec(id, ['true']),
        () => composite.removeContainer(id),
        () => composite.pauseContainer(id),
      ]) {
        await context
          .expect(call())
          .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND', container: 'ghost-rep-1' });
      }
      context.expect(journal).toEqual([]);
    },
  );

  clause('CMP-8', 'forgets a container whose first create failed', async (context) => {
    const { composite, delegate } = await mockRig(context, { delegate: true });
    const id = cid('svc');
    delegate.script('createContainer', { error: new RuntimeInternalError('disk full') });
    await context
      .expect(composite.createContainer(id, spec('alpine', { os: 'linux' })))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_INTERNAL' });
    await context
      .expect(composite.startContainer(id))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
  });

  clause('CMP-8', 'keeps the existing owner when a re-create of the same id fails', async (context) => {
    // Upstream deletes the record here, orphaning the container created first.
    const { composite, journal, primary } = await mockRig(context, { delegate: true });
    const id = cid('svc');
    await composite.createContainer(id, spec('alpine', { os: 'linux' }));
    primary.script('createContainer', { error: new RuntimeInternalError('conflict') });
    await context
      .expect(composite.createContainer(id, spec('nano', { os: 'windows' })))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_INTERNAL' });
    await composite.startContainer(id);
    context.expect(receivers(journal, 'startContainer', id)).toEqual(['delegate']);
  });

  clause('CMP-11', 'keeps the owner when its remove fails, so the remove can be retried', async (context) => {
    // Upstream drops the record regardless, and the retry answers NotFound.
    const { composite, journal, delegate } = await mockRig(context, { delegate: true });
    const id = cid('svc');
    await composite.createContainer(id, spec('alpine', { os: 'linux' }));
    delegate.script(
      'removeContainer',
      { error: new RuntimeInternalError('device busy') },
      { value: undefined },
    );
    await context
      .expect(composite.removeContainer(id))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_INTERNAL' });
    await composite.removeContainer(id);
    context.expect(receivers(journal, 'removeContainer', id)).toEqual(['delegate', 'delegate']);
    await context
      .expect(composite.startContainer(id))
      .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
  });

  clause(
    'CMP-11',
    'forgets the owner when the owner says the container no longer exists',
    async (context) => {
      const { composite, delegate } = await mockRig(context, { delegate: true });
      const id = cid('svc');
      await composite.createContainer(id, spec('alpine', { os: 'linux' }));
      delegate.script('removeContainer', { error: new RuntimeNotFoundError('svc-rep-1', 'gone') });
      await context
        .expect(composite.removeContainer(id))
        .rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
      const second = await caught(composite.removeContainer(id));
      context.expect(second.code).toBe('ERR_RUNTIME_NOT_FOUND');
      context.expect(second.reason).toContain('no dispatch record');
    },
  );

  clause(
    'CMP-26',
    'forwards pause, unpause, inspect, archive get and put, and commit to the owner',
    async (context) => {
      // Upstream answers these from the trait defaults (Unsupported) instead of asking the owner.
      const { composite, journal, vzLinux } = await mockRig(context, { delegate: true, vzLinux: true });
      const id = cid('svc');
      await composite.createContainer(id, spec('alpine'));
      const tar = new Uint8Array([1, 2, 3]);
      vzLinux.script('archiveGet', { value: tar });
      vzLinux.script('commitContainer', { value: 'sha256:abc' });
      vzLinux.script('inspectContainer', {
        value: { id: 'svc-rep-1', name: 'svc', image: 'alpine', status: 'paused' },
      });
      await composite.pauseContainer(id);
      await composite.unpauseContainer(id);
      context.expect(await composite.inspectContainer(id)).toMatchObject({ status: 'paused' });
      context.expect(await composite.archiveGet(id, '/etc')).toEqual(tar);
      await composite.archivePut(id, '/tmp', tar);
      context.expect(await composite.commitContainer(id, 'acme/snap:1')).toBe('sha256:abc');
      context
        .expect(journal.map((call) => `${call.runtime}.${call.method}`))
        .toEqual([
          'vz-linux.createContainer',
          'vz-linux.pauseContainer',
          'vz-linux.unpauseContainer',
          'vz-linux.inspectContainer',
          'vz-linux.archiveGet',
          'vz-linux.archivePut',
          'vz-linux.commitContainer',
        ]);
    },
  );

  clause(
    'CMP-26',
    'works end to end over working runtimes: exec, pause and archives reach the owner',
    async (context) => {
      const facet = context.use('dispatch');
      const primary = facet.fakeRuntime('primary');
      const vzLinux = facet.fakeRuntime('vz-linux');
      const composite = await facet.create({ primary, vzLinux });
      const id = cid('web');
      await composite.createContainer(id, spec('nginx:1'));
      await composite.startContainer(id);
      context.expect((await composite.exec(id, ['hostname'])).stdout).toBe('vz-linux\n');
      await composite.pauseContainer(id);
      context.expect(await composite.containerState(id)).toBe('paused');
      await composite.unpauseContainer(id);
      await composite.archivePut(id, '/data', new Uint8Array([7]));
      context.expect(await composite.archiveGet(id, '/data')).toEqual(new Uint8Array([7]));
      context.expect(vzLinux.containerIds()).toEqual(['web-rep-1']);
      context.expect(primary.containerIds()).toEqual([]);
    },
  );
});

describe('ownership model', () => {
  clause(
    'CMP-10',
    'agrees with the ownership model over random pulls, creates, starts and removes',
    async ({ use, expect }) => {
      const facet = use('dispatch');
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          dispatchConfigArb,
          imageKnowledgeArb,
          dispatchCommandsArb,
          async (config, knowledge, commands) => {
            runs += 1;
            const primary = facet.fakeRuntime('primary');
            const delegate = config.delegate ? facet.fakeRuntime('delegate') : undefined;
            const vz = config.vz ? facet.fakeRuntime('vz') : undefined;
            const vzLinux = config.vzLinux ? facet.fakeRuntime('vz-linux') : undefined;
            const fakes = new Map<Owner, typeof primary>([['primary', primary]]);
            if (delegate !== undefined) fakes.set('delegate', delegate);
            if (vz !== undefined) fakes.set('vz', vz);
            if (vzLinux !== undefined) fakes.set('vz-linux', vzLinux);
            const composite = await facet.create({
              primary,
              ...(delegate === undefined ? {} : { delegate }),
              ...(vz === undefined ? {} : { vz }),
              ...(vzLinux === undefined ? {} : { vzLinux }),
              osInspector: facet.imageInspector({ caches: [knowledge.os] }),
              markerInspector: facet.imageInspector({ caches: [knowledge.markers] }),
            });
            const system: DispatchSystem = { composite, fakes };
            await fc.asyncModelRun(
              () => ({ model: new DispatchModel(config, knowledge), real: system }),
              commands,
            );
          },
        ),
        { numRuns: profileRuns(150) },
      );
      expect(runs).toBeGreaterThan(0);
    },
    { timeoutMs: 30_000 },
  );
});
