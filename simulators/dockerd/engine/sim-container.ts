import type { MemoryFs } from '../fs/memory-fs.js';
import type { InputPipe } from '../program/input-pipe.js';
import type { TtySize } from '../program/process-context.js';
import type { ContainerConfig, JsonObject } from './container-config.js';
import { LogStore } from './log-store.js';
import { OutputHub } from './output-hub.js';
import { FreezerGate } from './pause-gate.js';

/** State.Status of dockerd (DKR-17). */
export type ContainerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  running: boolean;
  paused: boolean;
  restarting: boolean;
  oomKilled: boolean;
  dead: boolean;
  removalInProgress: boolean;
  pid: number;
  exitCode: number;
  error: string;
  startedAtNs: bigint | undefined;
  finishedAtNs: bigint | undefined;
}

/** The main process of a running container. */
export interface RunningProcess {
  readonly controller: AbortController;
  readonly pid: number;
  readonly exit: Promise<number>;
}

/** Who waits for a state change (DKR-13). */
export interface StateWaiter {
  readonly condition: 'next-exit' | 'removed';
  resolve(): void;
}

/** A container of the simulated daemon: its configuration, state, file tree, log and process. */
export class SimContainer {
  name: string;
  readonly state: ContainerState = {
    running: false,
    paused: false,
    restarting: false,
    oomKilled: false,
    dead: false,
    removalInProgress: false,
    pid: 0,
    exitCode: 0,
    error: '',
    startedAtNs: undefined,
    finishedAtNs: undefined,
  };
  readonly logs = new LogStore();
  readonly gate = new FreezerGate();
  readonly hub: OutputHub;
  /** The process's stdin when the container has OpenStdin (recreated after each run). */
  stdin: InputPipe | undefined;
  process: RunningProcess | undefined;
  /** Exec IDs while the container runs (ExecIDs). */
  readonly execIds: string[] = [];
  readonly waiters = new Set<StateWaiter>();
  restartCount = 0;
  /** Set at the first start (paths of resolv.conf, hostname, hosts, log). */
  hasBeenStarted = false;
  sandboxId = '';
  networkId = '';
  endpointId = '';
  ttySize: TtySize = { rows: 0, cols: 0 };
  removed = false;

  constructor(
    readonly id: string,
    name: string,
    readonly createdNs: bigint,
    readonly path: string,
    readonly args: readonly string[],
    readonly config: ContainerConfig,
    readonly hostConfig: JsonObject,
    readonly imageId: string,
    readonly platform: string,
    readonly fs: MemoryFs,
    now: () => bigint,
  ) {
    this.name = name;
    this.hub = new OutputHub({ tty: config.Tty, now, log: this.logs, gate: this.gate });
  }

  get status(): ContainerStatus {
    const s = this.state;
    if (s.running) {
      if (s.paused) return 'paused';
      if (s.restarting) return 'restarting';
      return 'running';
    }
    if (s.removalInProgress) return 'removing';
    if (s.dead) return 'dead';
    if (s.startedAtNs === undefined) return 'created';
    return 'exited';
  }

  get shortId(): string {
    return this.id.slice(0, 12);
  }

  get autoRemove(): boolean {
    return this.hostConfig.AutoRemove === true;
  }
}
