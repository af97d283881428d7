import { cloneJson, type JsonObject } from './container-config.js';

/** HostConfig of API 1.41 in Go field order, with the values dockerd 20.10 fills in (DKR-17). */
const HOST_CONFIG_DEFAULTS: readonly (readonly [string, unknown, 'omitempty'?])[] = [
  ['Binds', null],
  ['ContainerIDFile', ''],
  ['LogConfig', { Type: 'json-file', Config: {} }],
  ['NetworkMode', 'default'],
  ['PortBindings', null],
  ['RestartPolicy', { Name: '', MaximumRetryCount: 0 }],
  ['AutoRemove', false],
  ['VolumeDriver', ''],
  ['VolumesFrom', null],
  ['CapAdd', null],
  ['CapDrop', null],
  ['CgroupnsMode', 'host'],
  ['Dns', null],
  ['DnsOptions', null],
  ['DnsSearch', null],
  ['ExtraHosts', null],
  ['GroupAdd', null],
  ['IpcMode', 'private'],
  ['Cgroup', ''],
  ['Links', null],
  ['OomScoreAdj', 0],
  ['PidMode', ''],
  ['Privileged', false],
  ['PublishAllPorts', false],
  ['ReadonlyRootfs', false],
  ['SecurityOpt', null],
  ['StorageOpt', undefined, 'omitempty'],
  ['Tmpfs', undefined, 'omitempty'],
  ['UTSMode', ''],
  ['UsernsMode', ''],
  ['ShmSize', 67108864],
  ['Sysctls', undefined, 'omitempty'],
  ['Runtime', 'runc', 'omitempty'],
  ['ConsoleSize', [0, 0]],
  ['Isolation', ''],
  ['CpuShares', 0],
  ['Memory', 0],
  ['NanoCpus', 0],
  ['CgroupParent', ''],
  ['BlkioWeight', 0],
  ['BlkioWeightDevice', null],
  ['BlkioDeviceReadBps', null],
  ['BlkioDeviceWriteBps', null],
  ['BlkioDeviceReadIOps', null],
  ['BlkioDeviceWriteIOps', null],
  ['CpuPeriod', 0],
  ['CpuQuota', 0],
  ['CpuRealtimePeriod', 0],
  ['CpuRealtimeRuntime', 0],
  ['CpusetCpus', ''],
  ['CpusetMems', ''],
  ['Devices', null],
  ['DeviceCgroupRules', null],
  ['DeviceRequests', null],
  ['KernelMemory', 0],
  ['KernelMemoryTCP', 0],
  ['MemoryReservation', 0],
  ['MemorySwap', 0],
  ['MemorySwappiness', null],
  ['OomKillDisable', false],
  ['PidsLimit', null],
  ['Ulimits', null],
  ['CpuCount', 0],
  ['CpuPercent', 0],
  ['IOMaximumIOps', 0],
  ['IOMaximumBandwidth', 0],
  ['Mounts', undefined, 'omitempty'],
  ['MaskedPaths', null],
  ['ReadonlyPaths', null],
  ['Init', undefined, 'omitempty'],
];

const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const isEmpty = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  value === '' ||
  value === 0 ||
  value === false ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && value !== null && Object.keys(value).length === 0);

/**
 * The HostConfig a container keeps: what the client sent over the defaults, with dockerd's
 * adaptations (json-file logging, "default" network mode, private IPC, 64 MiB /dev/shm, masked
 * and read-only /proc paths unless privileged).
 */
export function buildHostConfig(given: JsonObject | undefined): JsonObject {
  const input = given ?? {};
  const out: JsonObject = {};
  for (const [key, fallback, omit] of HOST_CONFIG_DEFAULTS) {
    let value = key in input ? cloneJson(input[key]) : cloneJson(fallback);
    if (omit && isEmpty(value) && key !== 'Runtime') continue;
    if (key === 'LogConfig') {
      const log = (value ?? {}) as JsonObject;
      value = { Type: log.Type || 'json-file', Config: log.Config ?? {} };
    } else if (key === 'NetworkMode' && !value) value = 'default';
    else if (key === 'IpcMode' && !value) value = 'private';
    else if (key === 'CgroupnsMode' && !value) value = 'host';
    else if (key === 'ShmSize' && !value) value = 67108864;
    else if (key === 'Runtime' && !value) value = 'runc';
    else if (key === 'RestartPolicy' && value === null) value = { Name: '', MaximumRetryCount: 0 };
    else if (key === 'ConsoleSize' && !Array.isArray(value)) value = [0, 0];
    // adaptContainerSettings: -1 swappiness and a pids limit <= 0 mean "unset".
    else if (key === 'MemorySwappiness' && value === -1) value = null;
    else if (key === 'PidsLimit' && typeof value === 'number' && value <= 0) value = null;
    else if (key === 'MaskedPaths' && value === null && input.Privileged !== true) value = [...MASKED_PATHS];
    else if (key === 'ReadonlyPaths' && value === null && input.Privileged !== true)
      value = [...READONLY_PATHS];
    out[key] = value;
  }
  return out;
}

/** HostConfig.NetworkMode as a string ("default" when unset). */
export function networkModeOf(hostConfig: JsonObject): string {
  const mode = hostConfig.NetworkMode;
  return typeof mode === 'string' && mode !== '' ? mode : 'default';
}
