import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedDockerd, type SimulatedDockerd } from '../../simulators/dockerd/index.js';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import { requestJson } from '../support/http/request-json.js';
import { createDockerTarget, parseDockerHost, probeDockerDaemon, probeDockerTarget } from './docker.js';
import { ENGINE_SESSION_LABEL } from './engine-session.js';

const UNAVAILABLE = { code: 'ERR_SUITE_TARGET_UNAVAILABLE' };

describe('parseDockerHost', () => {
  it('reads unix:///absolute/path', () => {
    expect(parseDockerHost('unix:///var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(parseDockerHost('  unix:///tmp/d.sock ')).toEqual({ socketPath: '/tmp/d.sock' });
  });

  it('reads tcp://host:port, with 2375 as the default port and bracketed IPv6', () => {
    expect(parseDockerHost('tcp://127.0.0.1:2376')).toEqual({ host: '127.0.0.1', port: 2376 });
    expect(parseDockerHost('tcp://docker.internal')).toEqual({ host: 'docker.internal', port: 2375 });
    expect(parseDockerHost('tcp://[::1]:2375')).toEqual({ host: '::1', port: 2375 });
    expect(parseDockerHost('tcp://localhost:2375/')).toEqual({ host: 'localhost', port: 2375 });
  });

  it('refuses a missing host with the options to pass', () => {
    for (const missing of [undefined, '', '   ']) {
      expect(() => parseDockerHost(missing)).toThrow(expect.objectContaining(UNAVAILABLE));
    }
    expect(() => parseDockerHost(undefined)).toThrow(/--target docker needs --docker-host or DOCKER_HOST/);
  });

  it('refuses other schemes, relative socket paths and malformed tcp addresses', () => {
    for (const bad of [
      'ssh://me@host',
      'npipe:////./pipe/docker_engine',
      'http://localhost:2375',
      '/var/run/docker.sock',
      'unix://relative.sock',
      'tcp://',
      'tcp://host:notaport',
      'tcp://host:2375/path',
      'tcp://host:2375?x=1',
    ]) {
      expect(() => parseDockerHost(bad), bad).toThrow(expect.objectContaining(UNAVAILABLE));
    }
  });

  it('says what went wrong in one line', () => {
    try {
      parseDockerHost('ssh://me@host');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).toContain('ssh://me@host');
    }
  });
});

describe('probing a docker daemon', () => {
  const daemons: SimulatedDockerd[] = [];
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.close();
  });

  async function daemon(
    images: readonly string[] | undefined,
    kind: 'unix' | 'tcp' = 'unix',
  ): Promise<string> {
    const sim = createSimulatedDockerd({
      name: 'docker-target-test',
      ...(images === undefined ? {} : { images }),
    });
    daemons.push(sim);
    return sim.listen(
      kind === 'unix' ? `unix://${await tempSocketPath('docker-target')}` : 'tcp://127.0.0.1:0',
    );
  }

  it('records the daemon facts, the _ping headers and the base image', async () => {
    const host = await daemon(undefined);
    const probe = await probeDockerTarget({ dockerHost: host });
    expect(probe.description).toMatch(/^Docker 20\.10\.24\+dfsg1 \(API 1\.41, linux\/amd64\) at unix:\/\//);
    expect(probe.facts).toMatchObject({
      dockerHost: host,
      Version: '20.10.24+dfsg1',
      ApiVersion: '1.41',
      Os: 'linux',
      Arch: 'amd64',
      baseImage: 'local/busybox:1',
      ping: { 'api-version': '1.41', server: 'Docker/20.10.24+dfsg1 (linux)' },
    });
    expect(typeof probe.facts.MinAPIVersion).toBe('string');
    expect(typeof probe.facts.KernelVersion).toBe('string');
  });

  it('reaches a daemon over tcp://', async () => {
    const host = await daemon(undefined, 'tcp');
    expect(host).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const facts = await probeDockerDaemon(host);
    expect(facts.dockerHost).toBe(host);
    expect(facts.apiVersion).toBe('1.41');
  });

  it('takes the first base image present, in order of preference', async () => {
    const host = await daemon(['busybox:musl', 'busybox:latest']);
    expect((await probeDockerDaemon(host)).baseImage).toBe('busybox:latest');
  });

  it('fails with one line saying how to provide a base image when none is present', async () => {
    const host = await daemon([]);
    const failure = await probeDockerDaemon(host).then(
      () => new Error('the probe passed'),
      (error: unknown) => error as Error,
    );
    expect(failure).toMatchObject(UNAVAILABLE);
    expect(failure.message).toContain('docker pull busybox');
    expect(failure.message).not.toContain('\n');
  });

  it('fails with one line when nothing answers', async () => {
    const failure = await probeDockerTarget({ dockerHost: 'unix:///nonexistent/berth.sock' }).then(
      () => new Error('the probe passed'),
      (error: unknown) => error as Error,
    );
    expect(failure).toMatchObject(UNAVAILABLE);
    expect(failure.message).toMatch(
      /^cannot reach the Docker daemon at unix:\/\/\/nonexistent\/berth\.sock: /,
    );
    expect(failure.message).not.toContain('\n');
    await expect(probeDockerTarget({})).rejects.toMatchObject(UNAVAILABLE);
  });
});

describe('the docker target', () => {
  it('lists without a daemon, and its facets fail with one line on use', async () => {
    await using target = createDockerTarget({});
    expect(target.engine?.kinds).toEqual(['real', 'proxied']);
    expect(target.snapshot?.endpoints.map((offer) => offer.name)).toEqual(['target daemon']);
    expect(target.transport ?? target.registry ?? target.proxy ?? target.dispatch).toBeUndefined();
    await expect(target.engine!.open('real')).rejects.toMatchObject(UNAVAILABLE);
    await expect(target.snapshot!.connect('/tmp/x.sock')).rejects.toMatchObject({
      code: 'ERR_TARGET_CANNOT_CONFIGURE',
    });
  });

  for (const kind of ['real', 'proxied']) {
    it(`sweeps only what its ${kind} session created`, async () => {
      const sim = createSimulatedDockerd({ name: 'docker-target-sweep' });
      const host = await sim.listen(`unix://${await tempSocketPath('docker-sweep')}`);
      try {
        await using target = createDockerTarget({ dockerHost: host });
        const daemon = parseDockerHost(host);
        // Something that was there before: an unlabelled container and an untagged image.
        const before = await requestJson(daemon, 'POST', '/containers/create', {
          Image: 'local/busybox:1',
          Cmd: ['true'],
        });
        const beforeId = (before.json as { Id: string }).Id;
        const dangling = await requestJson(daemon, 'POST', `/commit?container=${beforeId}`);
        const danglingId = (dangling.json as { Id: string }).Id;

        const session = await target.engine!.open(kind);
        expect(Object.keys(session.labels)).toEqual([ENGINE_SESSION_LABEL]);
        expect(session.labels[ENGINE_SESSION_LABEL]).toMatch(/^[0-9a-f]{8}$/);
        expect(session.imagePrefix).toMatch(/^berth-[0-9a-f]{8}\/$/);
        expect(session.name('My Hint!')).toMatch(/^berth-[0-9a-f]{8}-my-hint-1$/);
        const ours = await requestJson(
          session.address,
          'POST',
          `/containers/create?name=${session.name('c')}`,
          {
            Image: session.baseImage,
            Cmd: ['sleep', '30'],
            Labels: session.labels,
          },
        );
        const oursId = (ours.json as { Id: string }).Id;
        expect((await requestJson(session.address, 'POST', `/containers/${oursId}/start`)).status).toBe(204);
        // A tag under the prefix on the pre-existing untagged image: removing it would delete the
        // image, so the sweep must leave it; a tag on the base image only untags.
        const prefix = session.imagePrefix.slice(0, -1);
        await requestJson(
          session.address,
          'POST',
          `/images/${danglingId}/tag?repo=${prefix}/on-dangling&tag=1`,
        );
        await requestJson(
          session.address,
          'POST',
          `/images/local/busybox:1/tag?repo=${prefix}/on-base&tag=1`,
        );

        const left = await session.leftovers();
        expect(left.containers).toEqual([oursId]);
        expect([...left.images].sort()).toEqual([`${prefix}/on-base:1`, `${prefix}/on-dangling:1`]);
        expect(await session.sweep()).toEqual({ containers: [oursId], images: [`${prefix}/on-base:1`] });
        await session[Symbol.asyncDispose]();

        expect((await requestJson(daemon, 'GET', `/containers/${beforeId}/json`)).status).toBe(200);
        expect((await requestJson(daemon, 'GET', `/images/${danglingId}/json`)).status).toBe(200);
        expect((await requestJson(daemon, 'GET', '/images/local/busybox:1/json')).status).toBe(200);
        expect((await requestJson(daemon, 'GET', `/containers/${oursId}/json`)).status).toBe(404);
      } finally {
        await sim.close();
      }
    });
  }
});
