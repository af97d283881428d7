import { createHash } from 'node:crypto';
import { formatRfc3339Nano } from '../engine/clock.js';
import type { ApiContext } from './api-context.js';
import type { RouteHandlers } from './api-route.js';

/** Component versions a Debian dockerd 20.10 reports (what the real daemon here answers). */
const GIT_COMMIT = '5d6db84';
const GO_VERSION = 'go1.19.8';
const BUILD_TIME = '2026-05-07T21:09:36.000000000+00:00';
const KERNEL_VERSION = '6.1.0-berth-sim';

/** uname -m for a GOARCH (DKR-7: /info says x86_64 where /version says amd64). */
function machine(arch: string): string {
  return (
    ({ amd64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', '386': 'i686' } as Record<string, string>)[arch] ??
    arch
  );
}

/** DKR-6: GET and HEAD /_ping. */
async function ping(ctx: ApiContext): Promise<void> {
  ctx.response.header.add('Cache-Control', 'no-cache, no-store, must-revalidate');
  ctx.response.header.add('Pragma', 'no-cache');
  if (ctx.request.method === 'HEAD') {
    ctx.response.header.set('Content-Type', 'text/plain; charset=utf-8');
    ctx.response.header.set('Content-Length', '0');
    return;
  }
  await ctx.response.write('OK');
}

/** DKR-7: GET /version. */
async function version(ctx: ApiContext): Promise<void> {
  const { identity } = ctx;
  const experimental = String(identity.experimental);
  await ctx.json(200, {
    Platform: { Name: '' },
    Components: [
      {
        Name: 'Engine',
        Version: identity.engineVersion,
        Details: {
          ApiVersion: identity.maxApiVersion,
          Arch: identity.architecture,
          BuildTime: BUILD_TIME,
          Experimental: experimental,
          GitCommit: GIT_COMMIT,
          GoVersion: GO_VERSION,
          KernelVersion: KERNEL_VERSION,
          MinAPIVersion: identity.minApiVersion,
          Os: identity.os,
        },
      },
      { Name: 'containerd', Version: '1.6.20~ds1', Details: { GitCommit: '1.6.20~ds1-1+deb12u3' } },
      { Name: 'runc', Version: '1.1.5+ds1', Details: { GitCommit: '1.1.5+ds1-1+deb12u1' } },
      { Name: 'docker-init', Version: '0.19.0', Details: { GitCommit: '' } },
    ],
    Version: identity.engineVersion,
    ApiVersion: identity.maxApiVersion,
    MinAPIVersion: identity.minApiVersion,
    GitCommit: GIT_COMMIT,
    GoVersion: GO_VERSION,
    Os: identity.os,
    Arch: identity.architecture,
    KernelVersion: KERNEL_VERSION,
    BuildTime: BUILD_TIME,
  });
}

/** The daemon ID of /info: 12 groups of 4 base32 characters, derived from the name. */
function daemonId(name: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(`berth-sim-dockerd:${name}`).digest();
  let text = '';
  for (let i = 0; i < 48; i += 1) text += alphabet[(digest[i % digest.length] as number) % 32];
  return (text.match(/.{4}/g) as string[]).join(':');
}

/** DKR-7: GET /info (the shape of dockerd 20.10; host facts are the simulator's). */
async function info(ctx: ApiContext): Promise<void> {
  const { engine, identity } = ctx;
  const containers = [...engine.containers.values()];
  const running = containers.filter((c) => c.state.running && !c.state.paused).length;
  const paused = containers.filter((c) => c.state.paused).length;
  const storage = engine.options.paths.storageDriver;
  await ctx.json(200, {
    ID: daemonId(identity.name),
    Containers: containers.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: containers.length - running - paused,
    Images: engine.images.all().length,
    Driver: storage,
    DriverStatus: null,
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'],
      Authorization: null,
      Log: [
        'awslogs',
        'fluentd',
        'gcplogs',
        'gelf',
        'journald',
        'json-file',
        'local',
        'logentries',
        'splunk',
        'syslog',
      ],
    },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemory: true,
    KernelMemoryTCP: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    BridgeNfIptables: true,
    BridgeNfIp6tables: true,
    Debug: false,
    NFd: 24,
    OomKillDisable: true,
    NGoroutines: 40,
    SystemTime: formatRfc3339Nano(engine.now()),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: '1',
    NEventsListener: 0,
    KernelVersion: KERNEL_VERSION,
    OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    OSVersion: '12',
    OSType: identity.os,
    Architecture: machine(identity.architecture),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: [],
      AllowNondistributableArtifactsHostnames: [],
      InsecureRegistryCIDRs: ['127.0.0.0/8'],
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
      Mirrors: [],
    },
    NCPU: 2,
    MemTotal: 2147483648,
    GenericResources: null,
    DockerRootDir: engine.options.paths.dataRoot,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: identity.name,
    Labels: [],
    ExperimentalBuild: identity.experimental,
    ServerVersion: identity.engineVersion,
    Runtimes: {
      'io.containerd.runc.v2': { path: 'runc' },
      'io.containerd.runtime.v1.linux': { path: 'runc' },
      runc: { path: 'runc' },
    },
    DefaultRuntime: 'runc',
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: 'docker-init',
    ContainerdCommit: { ID: '1.6.20~ds1-1+deb12u3', Expected: '1.6.20~ds1-1+deb12u3' },
    RuncCommit: { ID: '1.1.5+ds1-1+deb12u1', Expected: '1.1.5+ds1-1+deb12u1' },
    InitCommit: { ID: '', Expected: '' },
    SecurityOptions: ['name=seccomp,profile=default'],
    Warnings: null,
  });
}

/**
 * GET /events: the simulator records no events; the stream starts at once (200, chunked) and
 * ends at `until` (or when the client leaves).
 */
async function events(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  ctx.response.header.set('Content-Type', 'application/json');
  ctx.response.writeHead(200);
  await ctx.response.flush();
  const until = form.get('until');
  const untilSeconds = until === '' ? undefined : Number.parseFloat(until);
  const signal = ctx.request.signal;
  await new Promise<void>((resolve) => {
    const onAbort = (): void => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    const timer =
      untilSeconds === undefined || Number.isNaN(untilSeconds)
        ? undefined
        : setTimeout(
            () => {
              signal.removeEventListener('abort', onAbort);
              resolve();
            },
            Math.max(0, untilSeconds * 1000 - Date.now()),
          );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** GET /system/df (the shape of `docker system df`). */
async function systemDf(ctx: ApiContext): Promise<void> {
  const { engine } = ctx;
  await ctx.json(200, {
    LayersSize: engine.images.all().reduce((sum, image) => sum + image.size, 0),
    Images: engine.images.all().map((image) => ({
      Containers: [...engine.containers.values()].filter((c) => c.imageId === image.id).length,
      Created: Number(image.createdNs / 1_000_000_000n),
      Id: image.id,
      Labels: image.config.Labels,
      ParentId: image.parent,
      RepoDigests: [],
      RepoTags: engine.images.references(image.id).length === 0 ? ['<none>:<none>'] : [],
      SharedSize: 0,
      Size: image.size,
      VirtualSize: image.size,
    })),
    Containers: [],
    Volumes: [],
    BuildCache: [],
    BuilderSize: 0,
  });
}

/** OPTIONS on any path: 200 with nothing (dockerd's optionsHandler). */
async function options(ctx: ApiContext): Promise<void> {
  ctx.status(200);
}

/** The handlers of ping, version, info, events, df and OPTIONS; route-table.ts gives each its route. */
export const systemHandlers = { options, ping, events, info, version, systemDf } satisfies RouteHandlers;
