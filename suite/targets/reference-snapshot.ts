import type Dockerode from 'dockerode';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCacheKey, snapshotTarget } from '../../reference/snapshot/snapshot-reference.js';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import type { SnapshotEndpoint, SnapshotFacet, SnapshotSession } from './snapshot-facet.js';

/** The label every container and snapshot of a session carries; its value is the session's id. */
export const SNAPSHOT_SESSION_LABEL = 'dev.berth.snapshot-session';
const BASE_IMAGE = 'local/busybox:1';

/**
 * The backend, its client and the simulator load on first use: every spec file imports the
 * target, and most never open a snapshot session.
 */
async function loadModules() {
  const [{ default: DockerodeClass }, snapshot, dockerd] = await Promise.all([
    import('dockerode'),
    import('../../reference/snapshot/index.js'),
    import('../../simulators/dockerd/index.js'),
  ]);
  return { Dockerode: DockerodeClass, ...snapshot, createSimulatedDockerd: dockerd.createSimulatedDockerd };
}

/** Dockerode's connection options for `unix:///path` or `tcp://host:port`. */
function dockerodeOptions(dockerHost: string): Dockerode.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(`http://${dockerHost.slice('tcp://'.length)}`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375), protocol: 'http' };
  }
  throw new Error(`the reference snapshot facet reaches daemons over unix:// or tcp://, not ${dockerHost}`);
}

async function openSession(endpoint: SnapshotEndpoint): Promise<SnapshotSession> {
  const {
    Dockerode,
    createDockerBackend,
    createSimulatedDockerd,
    createSnapshotExecutor,
    openSnapshotRegistry,
  } = await loadModules();
  const sessionId = randomUUID();
  const labels = { [SNAPSHOT_SESSION_LABEL]: sessionId };
  const filters = JSON.stringify({ label: [`${SNAPSHOT_SESSION_LABEL}=${sessionId}`] });
  const cleanups: (() => Promise<void>)[] = [];
  let docker: Dockerode;
  let failNextStart: () => Promise<boolean>;
  let description: string;
  let baseImage = BASE_IMAGE;

  if (endpoint.kind === 'simulated') {
    const sim = createSimulatedDockerd({ name: `snapshot-${sessionId.slice(0, 8)}` });
    const socketPath = await tempSocketPath('snapshot');
    await sim.listen(`unix://${socketPath}`);
    cleanups.push(() => sim.close());
    docker = new Dockerode({ socketPath });
    description = 'simulated dockerd';
    failNextStart = () => {
      sim.faults.set({
        method: 'POST',
        path: /^\/containers\/[^/]+\/start$/,
        fault: { kind: 'error-status', status: 500, message: 'injected start failure' },
        times: 1,
      });
      return Promise.resolve(true);
    };
  } else {
    docker = new Dockerode(dockerodeOptions(endpoint.dockerHost));
    description = `real dockerd at ${endpoint.dockerHost}`;
    failNextStart = () => Promise.resolve(false);
    baseImage = endpoint.baseImage ?? BASE_IMAGE;
  }

  const backend = createDockerBackend({ docker, labels, hostConfig: { NetworkMode: 'none' } });
  const scratch = await mkdtemp(join(tmpdir(), 'berth-snapshot-'));
  cleanups.push(() => rm(scratch, { recursive: true, force: true }));

  const leftovers = async (): Promise<{ containers: string[]; images: string[] }> => {
    const containers = await docker.listContainers({ all: true, filters });
    const images = await docker.listImages({ filters });
    return {
      containers: containers.map((container) => container.Id),
      images: images.flatMap((image) => (image.RepoTags?.length ? image.RepoTags : [image.Id])),
    };
  };

  /** Removes whatever still carries the label (after the area checked that nothing does). */
  const sweep = async (): Promise<void> => {
    const left = await leftovers();
    for (const id of left.containers)
      await docker
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    for (const ref of left.images)
      await docker
        .getImage(ref)
        .remove({ force: true })
        .catch(() => undefined);
  };

  return {
    description,
    baseImage,
    backend,
    failNextStart,
    async executor({ capacity, registryPath, now }) {
      const path = registryPath ?? join(scratch, randomUUID(), 'registry.json');
      const registry = await openSnapshotRegistry({ path, capacity, ...(now === undefined ? {} : { now }) });
      return { ...createSnapshotExecutor({ backend, registry }), registry, registryPath: path };
    },
    async imageWithEntrypoint(entrypoint) {
      const container = await docker.createContainer({
        Image: baseImage,
        Cmd: ['true'],
        Labels: labels,
        HostConfig: { NetworkMode: 'none' },
      });
      const repo = `berth-entrypoint-${sessionId.slice(0, 8)}`;
      try {
        await container.commit({
          repo,
          tag: 'latest',
          pause: false,
          changes: `ENTRYPOINT ${JSON.stringify(entrypoint)}`,
        });
      } finally {
        await container.remove({ force: true });
      }
      return `${repo}:latest`;
    },
    leftovers,
    async [Symbol.asyncDispose]() {
      await sweep().catch(() => undefined);
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

/**
 * The reference snapshot backend (reference/snapshot) over a simulated dockerd, and over the real
 * daemon of the real-daemon tier when it found one.
 */
export const referenceSnapshot: SnapshotFacet = {
  // The reference target's guests are simulated; the snapshot backend over a real daemon is the
  // docker target's (`berth run --target docker`, which npm test runs against CI's dockerd).
  endpoints: [{ name: 'simulated dockerd', endpoint: { kind: 'simulated' } }],
  open: openSession,
  async connect(socketPath) {
    const { createDockerBackend } = await loadModules();
    return createDockerBackend({ docker: { socketPath } });
  },
  buildCacheKey: (stepKey, cacheKey) => buildCacheKey(stepKey, cacheKey),
  snapshotTarget: (label, containerId) => snapshotTarget(label, containerId),
};
