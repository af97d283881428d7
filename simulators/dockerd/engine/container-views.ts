import { formatRfc3339Nano, humanDuration, unixSeconds, ZERO_TIME } from './clock.js';
import { renderConfig, type JsonObject } from './container-config.js';
import { networkModeOf } from './host-config.js';
import { familiarString } from './image-reference.js';
import type { ImageStore, SimImage } from './image-store.js';
import type { SimContainer } from './sim-container.js';
import type { SimExec } from './sim-exec.js';

/** Where the simulated daemon says it keeps things (paths in inspect answers). */
export interface DaemonPaths {
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly storageDriver: string;
}

function networkName(container: SimContainer): string {
  const mode = networkModeOf(container.hostConfig);
  return mode === 'default' ? 'bridge' : mode;
}

function endpointSettings(networkId: string, endpointId: string): JsonObject {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    NetworkID: networkId,
    EndpointID: endpointId,
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: '',
    DriverOpts: null,
  };
}

/** State.String() of dockerd: what `docker ps` shows as STATUS. */
export function stateString(container: SimContainer, nowNs: bigint): string {
  const s = container.state;
  const since = (ns: bigint | undefined): string => humanDuration(nowNs - (ns ?? nowNs));
  if (s.running) {
    if (s.paused) return `Up ${since(s.startedAtNs)} (Paused)`;
    if (s.restarting) return `Restarting (${s.exitCode}) ${since(s.finishedAtNs)} ago`;
    return `Up ${since(s.startedAtNs)}`;
  }
  if (s.removalInProgress) return 'Removal In Progress';
  if (s.dead) return 'Dead';
  if (s.startedAtNs === undefined) return 'Created';
  if (s.finishedAtNs === undefined) return '';
  return `Exited (${s.exitCode}) ${since(s.finishedAtNs)} ago`;
}

/** GET /containers/{id}/json (DKR-17), keys in dockerd's order. */
export function inspectContainer(container: SimContainer, paths: DaemonPaths, size: boolean): JsonObject {
  const s = container.state;
  const dir = `${paths.dataRoot}/containers/${container.id}`;
  const started = container.hasBeenStarted;
  const out: JsonObject = {
    Id: container.id,
    Created: formatRfc3339Nano(container.createdNs),
    Path: container.path,
    Args: [...container.args],
    State: {
      Status: container.status,
      Running: s.running,
      Paused: s.paused,
      Restarting: s.restarting,
      OOMKilled: s.oomKilled,
      Dead: s.dead,
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: formatRfc3339Nano(s.startedAtNs),
      FinishedAt: formatRfc3339Nano(s.finishedAtNs),
    },
    Image: container.imageId,
    ResolvConfPath: started ? `${dir}/resolv.conf` : '',
    HostnamePath: started ? `${dir}/hostname` : '',
    HostsPath: started ? `${dir}/hosts` : '',
    LogPath: started ? `${dir}/${container.id}-json.log` : '',
    Name: container.name,
    RestartCount: container.restartCount,
    Driver: paths.storageDriver,
    Platform: container.platform,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: container.execIds.length > 0 ? [...container.execIds] : null,
    HostConfig: structuredClone(container.hostConfig),
    GraphDriver: { Data: null, Name: paths.storageDriver },
  };
  if (size) {
    out.SizeRw = 0;
    out.SizeRootFs = 0;
  }
  out.Mounts = [];
  out.Config = renderConfig(container.config);
  out.NetworkSettings = {
    Bridge: '',
    SandboxID: container.sandboxId,
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: {},
    SandboxKey:
      container.sandboxId === '' ? '' : `${paths.execRoot}/netns/${container.sandboxId.slice(0, 12)}`,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    MacAddress: '',
    Networks: { [networkName(container)]: endpointSettings(container.networkId, container.endpointId) },
  };
  return out;
}

/** One entry of GET /containers/json (DKR-28). */
export function summarizeContainer(
  container: SimContainer,
  images: ImageStore,
  nowNs: bigint,
  size: boolean,
): JsonObject {
  const args = container.args.map((arg) => (arg.includes(' ') ? `'${arg}'` : arg));
  // Keep the reference the container was created with while it still names the same image.
  let image = container.config.Image;
  if (image !== container.imageId) {
    let current: SimImage | undefined;
    try {
      current = images.get(image);
    } catch {
      current = undefined;
    }
    if (current?.id !== container.imageId) image = container.imageId;
  }
  const out: JsonObject = {
    Id: container.id,
    Names: [container.name],
    Image: image,
    ImageID: container.imageId,
    Command: args.length > 0 ? `${container.path} ${args.join(' ')}` : container.path,
    Created: unixSeconds(container.createdNs),
    Ports: [],
  };
  if (size) {
    out.SizeRw = 0;
    out.SizeRootFs = 0;
  }
  Object.assign(out, {
    Labels: { ...(container.config.Labels ?? {}) },
    State: container.status,
    Status: stateString(container, nowNs),
    HostConfig: { NetworkMode: container.hostConfig.NetworkMode },
    NetworkSettings: {
      Networks: { [networkName(container)]: endpointSettings(container.networkId, container.endpointId) },
    },
    Mounts: [],
  });
  return out;
}

/** GET /exec/{id}/json (DKR-22). */
export function inspectExec(exec: SimExec): JsonObject {
  const [entrypoint = '', ...args] = exec.config.cmd;
  const processConfig: JsonObject = {
    tty: exec.config.tty,
    entrypoint,
    arguments: args,
    privileged: exec.config.privileged,
  };
  if (exec.config.user !== '') processConfig.user = exec.config.user;
  return {
    ID: exec.id,
    Running: exec.running,
    ExitCode: exec.exitCode,
    ProcessConfig: processConfig,
    OpenStdin: exec.config.attachStdin,
    OpenStderr: exec.config.attachStderr,
    OpenStdout: exec.config.attachStdout,
    CanRemove: false,
    ContainerID: exec.containerId,
    DetachKeys: exec.config.detachKeys,
    Pid: exec.pid,
  };
}

/** GET /images/{name}/json (DKR-25). */
export function inspectImage(image: SimImage, images: ImageStore, storageDriver: string): JsonObject {
  const out: JsonObject = {
    Id: image.id,
    RepoTags: images.references(image.id).map(familiarString),
    RepoDigests: [],
    Parent: image.parent,
    Comment: image.comment,
    Created: formatRfc3339Nano(image.createdNs),
    Container: image.container,
    ContainerConfig: renderConfig(image.containerConfig),
    DockerVersion: image.dockerVersion,
    Author: image.author,
    Config: renderConfig(image.config),
    Architecture: image.architecture,
  };
  if (image.variant) out.Variant = image.variant;
  Object.assign(out, {
    Os: image.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Data: null, Name: storageDriver },
    RootFS: { Type: 'layers', Layers: [...image.layers] },
    Metadata: {
      LastTagTime: image.lastTagTimeNs === undefined ? ZERO_TIME : formatRfc3339Nano(image.lastTagTimeNs),
    },
  });
  return out;
}

/** One entry of GET /images/json (DKR-24); swagger orders these keys alphabetically. */
export function summarizeImage(
  image: SimImage,
  repoTags: string[] | null,
  repoDigests: string[] | null,
): JsonObject {
  return {
    Containers: -1,
    Created: unixSeconds(image.createdNs),
    Id: image.id,
    Labels: image.config.Labels ? { ...image.config.Labels } : null,
    ParentId: image.parent,
    RepoDigests: repoDigests,
    RepoTags: repoTags,
    SharedSize: -1,
    Size: image.size,
    VirtualSize: image.size,
  };
}
