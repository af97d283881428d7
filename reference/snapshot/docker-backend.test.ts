import Dockerode from 'dockerode';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulatedDockerd, type SimulatedDockerd } from '../../simulators/dockerd/index.js';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import { createDockerBackend, type DockerBackend } from './docker-backend.js';
import { nullSink } from './snapshot-types.js';

let sim: SimulatedDockerd;
let docker: Dockerode;
let backend: DockerBackend;

beforeEach(async () => {
  sim = createSimulatedDockerd({ name: 'snapshot-unit' });
  const socketPath = await tempSocketPath('snapshot-unit');
  await sim.listen(`unix://${socketPath}`);
  docker = new Dockerode({ socketPath });
  backend = createDockerBackend({
    docker,
    labels: { 'test.label': 'yes' },
    hostConfig: { NetworkMode: 'none' },
  });
});
afterEach(() => sim.close());

describe('createDockerBackend', () => {
  it('creates a labelled container with the host config, no entrypoint and sh -c sleep', async () => {
    await using vm = await backend.create('local/busybox:1');
    const info = await docker.getContainer(vm.containerId).inspect();
    expect(info.Config.Labels).toMatchObject({ 'test.label': 'yes' });
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.Config.Entrypoint ?? []).toEqual([]);
    expect(info.Config.Cmd).toEqual(['sh', '-c', 'sleep infinity']);
    expect(info.State.Running).toBe(true);
  });

  it('removes the container when start fails', async () => {
    sim.faults.set({
      method: 'POST',
      path: /\/start$/,
      fault: { kind: 'error-status', status: 500 },
      times: 1,
    });
    await expect(backend.create('local/busybox:1')).rejects.toMatchObject({
      code: 'ERR_SNAPSHOT_START_FAILED',
    });
    expect(await docker.listContainers({ all: true })).toEqual([]);
  });

  it('reports a failed pull with a typed error', async () => {
    await expect(backend.create('absent/image')).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_PULL_FAILED' });
  });

  it('pulls latest for an untagged name even when another tag is present', async () => {
    // Only local/busybox:1 exists; a reference filter of 'local/busybox' would match it.
    await expect(backend.create('local/busybox')).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_PULL_FAILED' });
    expect(await docker.listContainers({ all: true })).toEqual([]);
  });

  it('commits snapshots that carry the labels and restore', async () => {
    let snapshot: string;
    {
      await using vm = await backend.create('local/busybox:1');
      await vm.exec('echo kept > /tmp/f', {}, nullSink);
      snapshot = await vm.snapshot({ kind: 'cached', key: 'unit/snap:1' });
    }
    const image = await docker.getImage(snapshot).inspect();
    expect(image.Config.Labels).toMatchObject({ 'test.label': 'yes' });
    await using restored = await backend.restore(snapshot);
    const lines: string[] = [];
    await restored.exec(
      'cat /tmp/f',
      {},
      { onStdout: (line) => lines.push(line), onStderr: () => undefined },
    );
    expect(lines).toEqual(['kept']);
  });

  it('wraps inject failures with host, container and guest', async () => {
    const host = await mkdtemp(join(tmpdir(), 'berth-inject-unit-'));
    try {
      await writeFile(join(host, 'a'), 'a');
      await using vm = await backend.create('local/busybox:1');
      sim.faults.set({
        method: 'PUT',
        path: /\/archive$/,
        fault: { kind: 'error-status', status: 500 },
        times: 1,
      });
      await expect(vm.inject(host, '/w')).rejects.toMatchObject({
        code: 'ERR_SNAPSHOT_INJECT_FAILED',
        hostPath: host,
        guestPath: '/w',
      });
    } finally {
      await rm(host, { recursive: true, force: true });
    }
  });

  it('treats a container already gone as destroyed', async () => {
    const vm = await backend.create('local/busybox:1');
    await docker.getContainer(vm.containerId).remove({ force: true });
    await expect(vm.destroy()).resolves.toBeUndefined();
  });

  it('rejects an already aborted exec without starting it', async () => {
    await using vm = await backend.create('local/busybox:1');
    await expect(vm.exec('true', { signal: AbortSignal.abort() }, nullSink)).rejects.toMatchObject({
      code: 'ERR_SNAPSHOT_EXEC_ABORTED',
    });
  });
});
