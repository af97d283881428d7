import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import {
  DockerdConflictError,
  DockerdInvalidParameterError,
  DockerdNotFoundError,
  DockerdNotModifiedError,
  DockerdSystemError,
} from '../dockerd-errors.js';
import { MemoryFs, type FsNode } from '../fs/memory-fs.js';
import { InputPipe } from '../program/input-pipe.js';
import { launchProgram } from '../program/launch-program.js';
import { createProcessRuntime } from '../program/process-context.js';
import { ProcessKilledError } from '../program/process-killed-error.js';
import { DEFAULT_PATH } from '../program/resolve-command.js';
import type { Clock } from './clock.js';
import {
  applyChanges,
  cloneConfig,
  mergeImageConfig,
  parseConfigFields,
  type ContainerConfig,
  type JsonObject,
} from './container-config.js';
import type { DaemonPaths } from './container-views.js';
import { buildHostConfig, networkModeOf } from './host-config.js';
import type { IdGenerator } from './id-generator.js';
import { familiarString, parseNormalizedNamed, withDefaultTag, withTag } from './image-reference.js';
import { ImageStore, type ImageDeleteRecord, type SimImage } from './image-store.js';
import { generateContainerName } from './name-generator.js';
import type { StreamSink } from './output-hub.js';
import { OutputHub } from './output-hub.js';
import { buildSeedImage, treeDigest, type SeedImage } from './seed-image.js';
import { SIGKILL, SIGTERM, isValidSignal, parseSignal } from './signals.js';
import { SimContainer, type StateWaiter } from './sim-container.js';
import { SimExec, type ExecConfig } from './sim-exec.js';

export interface DockerEngineOptions {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** GOARCH of the daemon: amd64, arm64, ... */
  readonly architecture: string;
  readonly os: string;
  readonly engineVersion: string;
  readonly paths: DaemonPaths;
  readonly seedImages: readonly SeedImage[];
}

/** DKR-13: what a wait answers once its condition holds. */
export interface WaitResult {
  readonly Error: { readonly Message: string } | null;
  readonly StatusCode: number;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** The parameters of POST /commit (DKR-23). */
export interface CommitParams {
  readonly container: string;
  readonly repo: string;
  readonly tag: string;
  readonly author: string;
  readonly comment: string;
  readonly pause: boolean;
  readonly changes: readonly string[];
  readonly config: ContainerConfig | undefined;
}

/** The hijacked side of an exec start: its stdin and where its output goes. */
export interface ExecStreams {
  readonly stdin: InputPipe | undefined;
  readonly sink: StreamSink | undefined;
}

const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const INIT_LAYER_PATHS = [
  '/.dockerenv',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/etc/mtab',
  '/dev/console',
  '/dev/pts',
  '/dev/shm',
];
const HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
  '',
].join('\n');

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** container.ReplaceOrAppendEnvValues: later KEY=value pairs replace earlier ones; "KEY" unsets. */
function replaceOrAppendEnv(base: string[], overrides: readonly string[]): string[] {
  const out = [...base];
  for (const entry of overrides) {
    const key = entry.split('=')[0] as string;
    const index = out.findIndex((existing) => existing.split('=')[0] === key);
    if (!entry.includes('=')) {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = entry;
    else out.push(entry);
  }
  return out;
}

/** CreateDaemonEnvironment + runc's HOME: PATH, HOSTNAME, TERM (TTY), the config's Env, HOME. */
function processEnvironment(
  hostname: string,
  tty: boolean,
  ...envs: readonly (readonly string[] | null)[]
): Map<string, string> {
  let list = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`, ...(tty ? ['TERM=xterm'] : [])];
  for (const env of envs) list = replaceOrAppendEnv(list, env ?? []);
  const map = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  if (!map.has('HOME')) map.set('HOME', '/root');
  return map;
}

/**
 * The state of one simulated dockerd: containers and their processes, exec instances, images.
 * Every operation follows dockerd 20.10 (statuses and message texts of DKR-8..30).
 */
export class DockerEngine {
  readonly images = new ImageStore();
  /** In creation order. */
  readonly containers = new Map<string, SimContainer>();
  readonly execs = new Map<string, SimExec>();
  readonly #names = new Map<string, string>();
  readonly #options: DockerEngineOptions;
  #nextPid = 4000;
  #closed = false;

  constructor(options: DockerEngineOptions) {
    this.#options = options;
    for (const seed of options.seedImages) {
      const image = buildSeedImage(seed, {
        architecture: options.architecture,
        os: options.os,
        dockerVersion: options.engineVersion,
        now: () => this.now(),
      });
      if (!this.images.byId(image.id)) this.images.add(image);
      const stored = this.images.byId(image.id) as SimImage;
      this.images.tag(parseNormalizedNamed(seed.reference), stored, image.createdNs);
    }
  }

  get options(): DockerEngineOptions {
    return this.#options;
  }

  now(): bigint {
    return this.#options.clock.nowNs();
  }

  // ---------------------------------------------------------------------------------------------
  // Identity (DKR-30)

  /** daemon.GetContainer of dockerd 20.10: full ID, name (with or without "/"), unique ID prefix. */
  getContainer(ref: string): SimContainer {
    if (ref === '') throw new DockerdInvalidParameterError('invalid name or ID supplied: ""');
    const byId = this.containers.get(ref);
    if (byId) return byId;
    const byName = this.#names.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (byName) return this.containers.get(byName) as SimContainer;
    if (!ref.includes(' ')) {
      const matches = [...this.containers.keys()].filter((id) => id.startsWith(ref));
      if (matches.length > 1) throw new DockerdSystemError(`Multiple IDs found with provided prefix: ${ref}`);
      if (matches.length === 1) return this.containers.get(matches[0] as string) as SimContainer;
    }
    throw new DockerdNotFoundError(`No such container: ${ref}`);
  }

  /** Containers, newest first (the order of `docker ps`). */
  listContainers(): SimContainer[] {
    return [...this.containers.values()].reverse();
  }

  containerNames(): ReadonlyMap<string, string> {
    return this.#names;
  }

  // ---------------------------------------------------------------------------------------------
  // Create (DKR-8)

  /** POST /containers/create with the decoded body; returns the new container. */
  createContainer(input: {
    readonly name: string;
    readonly platform: string;
    readonly body: JsonObject;
  }): SimContainer {
    this.#assertOpen();
    const config = parseConfigFields(input.body);
    if (config === undefined)
      throw new DockerdInvalidParameterError('Config cannot be empty in order to create a container');
    const hostConfigInput = input.body.HostConfig;
    const platform = input.platform === '' ? undefined : this.#parsePlatform(input.platform);
    let image: SimImage | undefined;
    if (config.Image !== '') {
      image = this.images.getOrInvalid(config.Image);
      if (platform && (platform.os !== image.os || platform.architecture !== image.architecture)) {
        const actual = `${image.os}/${image.architecture}`;
        throw new DockerdNotFoundError(
          `image with reference ${config.Image} was found but does not match the specified platform: wanted ${platform.os}/${platform.architecture}, actual: ${actual}`,
        );
      }
    }
    if (config.WorkingDir !== '' && !config.WorkingDir.startsWith('/')) {
      throw new DockerdInvalidParameterError(
        `the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`,
      );
    }
    const id = this.#options.ids.next('container');
    const name = this.#reserveName(id, input.name);
    if (image) mergeImageConfig(config, image.config);
    else config.Labels ??= {};
    if ((config.Entrypoint ?? []).length === 0 && (config.Cmd ?? []).length === 0) {
      this.#names.delete(name);
      throw new DockerdInvalidParameterError('No command specified');
    }
    if (config.Hostname === '') config.Hostname = id.slice(0, 12);
    const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    const hostConfig = buildHostConfig(
      typeof hostConfigInput === 'object' && hostConfigInput !== null
        ? (hostConfigInput as JsonObject)
        : undefined,
    );
    const fs = image ? image.fs.clone() : new MemoryFs(() => this.now());
    const container = new SimContainer(
      id,
      name,
      this.now(),
      argv[0] ?? '',
      argv.slice(1),
      config,
      hostConfig,
      image?.id ?? '',
      this.#options.os,
      fs,
      () => this.now(),
    );
    this.#setUpInitLayer(container);
    if (config.OpenStdin) container.stdin = new InputPipe();
    const consoleSize = hostConfig.ConsoleSize;
    if (Array.isArray(consoleSize))
      container.ttySize = { rows: Number(consoleSize[0]) || 0, cols: Number(consoleSize[1]) || 0 };
    this.containers.set(id, container);
    return container;
  }

  #parsePlatform(text: string): { os: string; architecture: string } {
    const parts = text.split('/');
    const invalid = (): DockerdInvalidParameterError =>
      new DockerdInvalidParameterError(
        `${JSON.stringify(text)}: cannot parse platform specifier: invalid argument`,
      );
    if (parts.length > 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) throw invalid();
    const [os = '', architecture] = parts.map((part) => part.toLowerCase());
    const knownOs = ['linux', 'windows', 'darwin', 'freebsd'];
    if (parts.length === 1 && !knownOs.includes(os)) {
      // A lone architecture ("arm64") means the host OS.
      return { os: this.#options.os, architecture: normaliseArch(os) };
    }
    return { os, architecture: normaliseArch(architecture ?? this.#options.architecture) };
  }

  /** daemon.reserveName: validate, add the "/", refuse a name in use (409, DKR-8). */
  #reserveName(id: string, requested: string): string {
    if (requested === '') {
      for (let retry = 0; ; retry += 1) {
        const generated = `/${generateContainerName(this.#options.ids, retry)}`;
        if (!this.#names.has(generated)) {
          this.#names.set(generated, id);
          return generated;
        }
      }
    }
    if (!NAME_PATTERN.test(requested)) {
      throw new DockerdInvalidParameterError(
        `Invalid container name (${requested}), only ${NAME_CHARS} are allowed`,
      );
    }
    const name = requested.startsWith('/') ? requested : `/${requested}`;
    const owner = this.#names.get(name);
    if (owner !== undefined) {
      throw new DockerdConflictError(
        `Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    this.#names.set(name, id);
    return name;
  }

  /** The init layer dockerd adds under every container (not committed). */
  #setUpInitLayer(container: SimContainer): void {
    const fs = container.fs;
    const now = this.now();
    fs.root.mode = 0o700;
    fs.root.mtimeNs = now;
    for (const dir of ['/dev', '/dev/pts', '/dev/shm', '/proc', '/sys', '/etc']) {
      if (fs.lstat(dir) === undefined) fs.mkdir(dir);
    }
    fs.writeFile('/.dockerenv', Buffer.alloc(0), { mode: 0o755 });
    fs.writeFile('/dev/console', Buffer.alloc(0), { mode: 0o755 });
    fs.writeFile('/etc/hostname', `${container.config.Hostname}\n`);
    fs.writeFile('/etc/hosts', HOSTS);
    fs.writeFile('/etc/resolv.conf', 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    if (fs.lstat('/etc/mtab') === undefined) fs.symlink('/proc/mounts', '/etc/mtab');
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle (DKR-9..16)

  /** POST /containers/{id}/start (DKR-9). */
  start(ref: string): void {
    this.#assertOpen();
    const container = this.getContainer(ref);
    if (container.state.paused)
      throw new DockerdConflictError('cannot start a paused container, try unpause instead');
    if (container.state.running) throw new DockerdNotModifiedError('Container already started');
    if (container.state.removalInProgress || container.state.dead) {
      throw new DockerdConflictError('container is marked for removal and cannot be started');
    }
    this.#launch(container);
  }

  #launch(container: SimContainer): void {
    const config = container.config;
    const cwd = config.WorkingDir || '/';
    if (container.fs.stat(cwd) === undefined) container.fs.mkdir(cwd, { parents: true });
    const controller = new AbortController();
    const pid = this.#nextPid++;
    const runtime = createProcessRuntime({
      signal: controller.signal,
      pid: 1,
      hostname: config.Hostname,
      tty: config.Tty ? container.ttySize : undefined,
      gate: container.gate,
    });
    const launch = launchProgram({
      argv: [container.path, ...container.args],
      env: processEnvironment(config.Hostname, config.Tty, config.Env),
      cwd,
      fs: container.fs,
      stdin: container.stdin ?? InputPipe.closed(),
      stdout: container.hub.output('stdout', controller.signal),
      stderr: container.hub.output('stderr', controller.signal),
      runtime,
    });
    if (!launch.ok) {
      const message = `failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${launch.message}: unknown`;
      container.state.error = message;
      container.state.exitCode = launch.exitCode;
      container.hub.endAll();
      if (container.autoRemove) this.#destroy(container);
      throw new DockerdInvalidParameterError(message);
    }
    const now = this.now();
    const state = container.state;
    Object.assign(state, {
      running: true,
      paused: false,
      restarting: false,
      pid,
      exitCode: 0,
      error: '',
      startedAtNs: now,
    });
    container.hasBeenStarted = true;
    if (container.sandboxId === '') container.sandboxId = this.#options.ids.next('sandbox');
    container.networkId = this.#networkId(networkModeOf(container.hostConfig));
    container.endpointId = this.#options.ids.next('endpoint');
    container.process = { controller, pid, exit: launch.exit };
    void launch.exit.then((code) => this.#onExit(container, code));
  }

  #networkIds = new Map<string, string>();
  #networkId(mode: string): string {
    const name = mode === 'default' ? 'bridge' : mode;
    let id = this.#networkIds.get(name);
    if (id === undefined) {
      id = sha256(`${this.#options.ids.next('network')}:${name}`);
      this.#networkIds.set(name, id);
    }
    return id;
  }

  #onExit(container: SimContainer, code: number): void {
    const now = this.now();
    container.logs.endRun(now);
    Object.assign(container.state, {
      running: false,
      paused: false,
      restarting: false,
      pid: 0,
      exitCode: code,
      finishedAtNs: now,
    });
    container.gate.resume();
    container.process = undefined;
    container.endpointId = '';
    // dockerd 20.10 forgets a container's execs when it stops (their processes die with it).
    for (const execId of container.execIds) {
      const exec = this.execs.get(execId);
      exec?.controller?.abort(new ProcessKilledError(SIGKILL));
      this.execs.delete(execId);
    }
    container.execIds.length = 0;
    container.hub.endAll();
    if (container.config.OpenStdin) container.stdin = new InputPipe();
    this.#notify(container, 'next-exit');
    if (container.autoRemove && !container.state.removalInProgress) this.#destroy(container);
  }

  #notify(container: SimContainer, event: 'next-exit' | 'removed'): void {
    for (const waiter of [...container.waiters]) {
      if (event === 'removed' || waiter.condition === 'next-exit') {
        container.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Resolves once the container is not running, or after `ms` (Infinity: no limit). */
  #waitStopped(container: SimContainer, ms: number): Promise<void> {
    if (!container.state.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: StateWaiter = {
        condition: 'next-exit',
        resolve: () => {
          if (timer) clearTimeout(timer);
          resolve();
        },
      };
      const timer = Number.isFinite(ms)
        ? setTimeout(() => {
            container.waiters.delete(waiter);
            resolve();
          }, ms)
        : undefined;
      container.waiters.add(waiter);
    });
  }

  /** Delivers a signal to the main process: PID 1 of a container ignores all but SIGKILL. */
  #signal(container: SimContainer, signal: number): void {
    if (signal !== SIGKILL) return;
    container.process?.controller.abort(new ProcessKilledError(SIGKILL));
  }

  /** daemon.Kill: SIGKILL and wait for the exit. */
  async #killAndWait(container: SimContainer): Promise<void> {
    this.#signal(container, SIGKILL);
    await this.#waitStopped(container, Infinity);
  }

  /** POST /containers/{id}/stop (DKR-10): stop signal, `t` seconds (default 10), then SIGKILL. */
  async stop(ref: string, seconds: number | undefined): Promise<void> {
    const container = this.getContainer(ref);
    if (!container.state.running) throw new DockerdNotModifiedError('Container already stopped');
    const timeout = seconds ?? container.config.StopTimeout ?? 10;
    const stopSignal = container.config.StopSignal ? parseSignal(container.config.StopSignal) : SIGTERM;
    this.#signal(container, stopSignal);
    await this.#waitStopped(container, timeout < 0 ? Infinity : timeout * 1000);
    if (container.state.running) await this.#killAndWait(container);
  }

  /** POST /containers/{id}/restart (DKR-11). */
  async restart(ref: string, seconds: number | undefined): Promise<void> {
    const container = this.getContainer(ref);
    if (container.state.running) {
      try {
        await this.stop(container.id, seconds);
      } catch (error) {
        if (!(error instanceof DockerdNotModifiedError)) throw error;
      }
    }
    try {
      this.start(container.id);
    } catch (error) {
      if (error instanceof DockerdNotModifiedError) return;
      throw new DockerdSystemError(`Cannot restart container ${ref}: ${(error as Error).message}`);
    }
  }

  /** POST /containers/{id}/kill (DKR-12): errors read "Cannot kill container: <ref>: ...". */
  async kill(ref: string, signalText: string): Promise<void> {
    const signal = signalText === '' ? 0 : parseSignal(signalText);
    const wrap = (error: unknown): unknown => {
      if (error instanceof DockerdNotFoundError)
        return new DockerdNotFoundError(`Cannot kill container: ${ref}: ${error.message}`);
      if (error instanceof DockerdConflictError)
        return new DockerdConflictError(`Cannot kill container: ${ref}: ${error.message}`);
      if (error instanceof DockerdSystemError)
        return new DockerdSystemError(`Cannot kill container: ${ref}: ${error.message}`);
      return error;
    };
    try {
      const container = this.getContainer(ref);
      if (signal !== 0 && !isValidSignal(signal)) {
        throw new DockerdSystemError(`The ${this.#options.os} daemon does not support signal ${signal}`);
      }
      if (!container.state.running)
        throw new DockerdConflictError(`Container ${container.id} is not running`);
      if (signal === 0 || signal === SIGKILL) await this.#killAndWait(container);
      else this.#signal(container, signal);
    } catch (error) {
      throw wrap(error);
    }
  }

  /** POST /containers/{id}/pause (DKR-16). */
  pause(ref: string): void {
    const container = this.getContainer(ref);
    if (!container.state.running) throw new DockerdConflictError(`Container ${container.id} is not running`);
    if (container.state.paused) throw new DockerdConflictError(`Container ${container.id} is already paused`);
    if (container.state.restarting) {
      throw new DockerdConflictError(
        `Container ${container.id} is restarting, wait until the container is running`,
      );
    }
    container.gate.pause();
    container.state.paused = true;
  }

  /** POST /containers/{id}/unpause (DKR-16); "not paused" is a plain error (500) in 20.10. */
  unpause(ref: string): void {
    const container = this.getContainer(ref);
    if (!container.state.paused) throw new DockerdSystemError(`Container ${container.id} is not paused`);
    container.gate.resume();
    container.state.paused = false;
  }

  /** POST /containers/{id}/rename (DKR-14). */
  rename(ref: string, newName: string): void {
    if (ref === '' || newName === '')
      throw new DockerdInvalidParameterError('Neither old nor new names may be empty');
    const wanted = newName.startsWith('/') ? newName : `/${newName}`;
    const container = this.getContainer(ref);
    if (container.name === wanted) {
      throw new DockerdInvalidParameterError('Renaming a container with the same name as its current name');
    }
    let reserved: string;
    try {
      reserved = this.#reserveName(container.id, wanted);
    } catch (error) {
      const message = `Error when allocating new name: ${(error as Error).message}`;
      if (error instanceof DockerdConflictError) throw new DockerdConflictError(message);
      if (error instanceof DockerdInvalidParameterError) throw new DockerdInvalidParameterError(message);
      throw error;
    }
    this.#names.delete(container.name);
    container.name = reserved;
  }

  /** DELETE /containers/{id} (DKR-15). */
  async remove(ref: string, options: { readonly force: boolean }): Promise<void> {
    const container = this.getContainer(ref);
    if (container.state.removalInProgress) {
      throw new DockerdConflictError(`removal of container ${ref} is already in progress`);
    }
    if (container.state.running) {
      if (!options.force) {
        const state = container.status;
        const procedure =
          state === 'paused'
            ? 'Unpause and then stop the container before attempting removal or force remove'
            : 'Stop the container before attempting removal or force remove';
        throw new DockerdConflictError(
          `You cannot remove a ${state} container ${container.id}. ${procedure}`,
        );
      }
      container.state.removalInProgress = true;
      try {
        await this.#killAndWait(container);
      } finally {
        container.state.removalInProgress = false;
      }
    }
    this.#destroy(container);
  }

  #destroy(container: SimContainer): void {
    if (container.removed) return;
    container.removed = true;
    this.containers.delete(container.id);
    if (this.#names.get(container.name) === container.id) this.#names.delete(container.name);
    for (const execId of container.execIds) this.execs.delete(execId);
    container.execIds.length = 0;
    container.stdin?.end();
    this.#notify(container, 'removed');
  }

  /**
   * POST /containers/{id}/wait (DKR-13). The lookup happens now (404 before any output); the
   * promise resolves when the condition holds (20.10: an unknown condition means not-running).
   */
  wait(ref: string, condition: WaitCondition, signal: AbortSignal): Promise<WaitResult> {
    const container = this.getContainer(ref);
    // container.WaitResponse field order: Error, then StatusCode.
    const result = (withError: boolean): WaitResult => ({
      Error: withError && container.state.error !== '' ? { Message: container.state.error } : null,
      StatusCode: container.state.exitCode,
    });
    if (condition === 'not-running' && !container.state.running) return Promise.resolve(result(true));
    if (container.removed) return Promise.resolve(result(false));
    return new Promise<WaitResult>((resolve) => {
      const waiter: StateWaiter = {
        condition: condition === 'removed' ? 'removed' : 'next-exit',
        // dockerd 20.10 reports no Error once the wait was held (exit or removal).
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(result(false));
        },
      };
      const onAbort = (): void => {
        container.waiters.delete(waiter);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      container.waiters.add(waiter);
    });
  }

  /** POST /containers/{id}/resize: the TTY size of a running container. */
  resizeContainer(ref: string, height: number, width: number): void {
    const container = this.getContainer(ref);
    if (!container.state.running) throw new DockerdConflictError(`Container ${container.id} is not running`);
    container.ttySize.rows = height;
    container.ttySize.cols = width;
  }

  // ---------------------------------------------------------------------------------------------
  // Exec (DKR-20..22)

  /** POST /containers/{id}/exec (DKR-20). */
  createExec(ref: string, config: ExecConfig): SimExec {
    const container = this.getContainer(ref);
    if (!container.state.running) throw new DockerdConflictError(`Container ${container.id} is not running`);
    if (container.state.paused)
      throw new DockerdConflictError(`Container ${ref} is paused, unpause the container before exec`);
    if (container.state.restarting) {
      throw new DockerdConflictError(
        `Container ${container.id} is restarting, wait until the container is running`,
      );
    }
    const exec = new SimExec(this.#options.ids.next('exec'), container.id, config);
    this.execs.set(exec.id, exec);
    container.execIds.push(exec.id);
    return exec;
  }

  /** An exec by its exact ID (DKR-21: no prefixes). */
  getExec(id: string): SimExec {
    const exec = this.execs.get(id);
    if (!exec) throw new DockerdNotFoundError(`No such exec instance: ${id}`);
    return exec;
  }

  /** daemon.getExecConfig: the exec exists and its container runs (checked before a hijack). */
  checkExecStartable(id: string): SimExec {
    const exec = this.getExec(id);
    const container = this.containers.get(exec.containerId);
    if (!container) throw new DockerdNotFoundError(`No such container: ${id}`);
    if (!container.state.running) {
      throw new DockerdSystemError(`Container ${container.id} is not running: ${container.status}`);
    }
    if (container.state.paused)
      throw new DockerdConflictError(
        `Container ${container.id} is paused, unpause the container before exec`,
      );
    return exec;
  }

  /**
   * ContainerExecStart: runs the exec once. Already run / running → 409 (in-stream after a
   * hijack). A command that cannot start → 400 with runc's text and ExitCode 126. Resolves with
   * the exit status (when the process ends).
   */
  startExec(id: string, streams: ExecStreams): Promise<number> {
    const exec = this.checkExecStartable(id);
    if (exec.exitCode !== null)
      throw new DockerdConflictError(`Error: Exec command ${exec.id} has already run`);
    if (exec.running || exec.started)
      throw new DockerdConflictError(`Error: Exec command ${exec.id} is already running`);
    const container = this.containers.get(exec.containerId) as SimContainer;
    exec.started = true;
    exec.running = true;
    const controller = new AbortController();
    exec.controller = controller;
    const hub = new OutputHub({ tty: exec.config.tty, now: () => this.now(), gate: container.gate });
    exec.hub = hub;
    if (streams.sink) hub.sinks.add(streams.sink);
    const pid = this.#nextPid++;
    const config = exec.config;
    const cwd = config.workingDir || container.config.WorkingDir || '/';
    if (container.fs.stat(cwd)?.kind !== 'dir') {
      exec.running = false;
      exec.exitCode = 126;
      exec.markReady();
      throw new DockerdInvalidParameterError(
        `OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd (${JSON.stringify(cwd)}) set in config.json failed: no such file or directory: unknown`,
      );
    }
    const launch = launchProgram({
      argv: config.cmd,
      env: processEnvironment(container.config.Hostname, config.tty, container.config.Env, config.env),
      cwd,
      fs: container.fs,
      stdin: config.attachStdin && streams.stdin ? streams.stdin : InputPipe.closed(),
      stdout: config.attachStdout ? hub.output('stdout', controller.signal) : discard,
      stderr: config.attachStderr ? hub.output('stderr', controller.signal) : discard,
      runtime: createProcessRuntime({
        signal: controller.signal,
        pid,
        hostname: container.config.Hostname,
        tty: config.tty ? exec.ttySize : undefined,
        gate: container.gate,
      }),
    });
    exec.markReady();
    if (!launch.ok) {
      exec.running = false;
      exec.exitCode = 126;
      throw new DockerdInvalidParameterError(
        `OCI runtime exec failed: exec failed: unable to start container process: ${launch.message}: unknown`,
      );
    }
    exec.pid = pid;
    return launch.exit.then((code) => {
      exec.running = false;
      exec.exitCode = code;
      hub.endAll();
      return code;
    });
  }

  /** POST /exec/{id}/resize (DKR-22). */
  async resizeExec(id: string, height: number, width: number, readyTimeoutMs: number): Promise<void> {
    const exec = this.getExec(id);
    if (!exec.started) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exec.ready.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), readyTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) throw new DockerdSystemError('timeout waiting for exec session ready');
    }
    if (!exec.running) throw new DockerdNotFoundError('no such exec');
    exec.ttySize.rows = height;
    exec.ttySize.cols = width;
  }

  // ---------------------------------------------------------------------------------------------
  // Images (DKR-23..26)

  /** POST /commit (DKR-23); returns the new image ID. */
  commit(params: CommitParams): string {
    const container = this.getContainer(params.container);
    if (container.state.dead)
      throw new DockerdConflictError(`You cannot commit container ${container.id} which is Dead`);
    if (container.state.removalInProgress) {
      throw new DockerdConflictError(`You cannot commit container ${container.id} which is being removed`);
    }
    const config = cloneConfig(params.config ?? container.config);
    applyChanges(
      config,
      params.changes.flatMap((change) => change.split('\n')),
    );
    mergeImageConfig(config, container.config);
    const parent = this.images.byId(container.imageId);
    const fs = container.fs.clone();
    for (const path of INIT_LAYER_PATHS) {
      if (fs.lstat(path) !== undefined) fs.remove(path, { recursive: true });
    }
    for (const dir of ['/dev', '/proc', '/sys']) {
      const node = fs.lstat(dir);
      if (node?.kind === 'dir' && node.children.size === 0 && parent?.fs.lstat(dir) === undefined)
        fs.remove(dir);
    }
    fs.root.mode = parent?.fs.root.mode ?? 0o755;
    const digest = treeDigest(fs.root);
    const parentLayers = parent?.layers ?? [];
    const changed = parent === undefined || digest !== treeDigest(parent.fs.root);
    const layers = changed
      ? [...parentLayers, `sha256:${sha256(`${digest}:${parentLayers.join(',')}`)}`]
      : [...parentLayers];
    const createdNs = this.now();
    const id = `sha256:${sha256(JSON.stringify({ config, createdNs: String(createdNs), parent: parent?.id ?? '', layers, container: container.id }))}`;
    const image: SimImage = {
      id,
      parent: parent?.id ?? '',
      comment: params.comment,
      createdNs,
      container: container.id,
      containerConfig: cloneConfig(container.config),
      dockerVersion: this.#options.engineVersion,
      author: params.author,
      config,
      architecture: this.#options.architecture,
      variant: undefined,
      os: this.#options.os,
      size: (parent?.size ?? 0) + (changed ? changedBytes(fs.root, parent?.fs.root) : 0),
      layers,
      fs,
      lastTagTimeNs: undefined,
    };
    this.images.add(image);
    if (params.repo !== '') this.tagImage(id, params.repo, params.tag);
    return id;
  }

  /**
   * ImageService.TagImage: the image must exist (404), then the reference must parse (500); the
   * reference store refuses a digest reference as an invalid parameter (400, invalidTagError).
   */
  tagImage(imageName: string, repo: string, tag: string): string {
    const image = this.images.getOrInvalid(imageName);
    let ref = parseNormalizedNamed(repo);
    if (tag !== '') ref = withTag({ ...ref, digest: undefined, tag: undefined }, tag);
    if (ref.digest !== undefined)
      throw new DockerdInvalidParameterError('refusing to create a tag with a digest reference');
    this.images.tag(ref, image, this.now());
    return familiarString(withDefaultTag(ref));
  }

  /** DELETE /images/{name} (DKR-25). */
  deleteImage(name: string, force: boolean, prune: boolean): ImageDeleteRecord[] {
    return this.images.delete(name, force, prune, {
      first: (predicate) =>
        [...this.containers.values()].find((container) =>
          predicate({ id: container.id, imageId: container.imageId, running: container.state.running }),
        ),
    });
  }

  /** Containers using an image (for the Containers count when asked). */
  usesImage(imageId: string): boolean {
    return [...this.containers.values()].some((container) => container.imageId === imageId);
  }

  // ---------------------------------------------------------------------------------------------

  /** Kills every process and releases every waiter (the simulator is closing). */
  shutdown(): void {
    this.#closed = true;
    for (const exec of this.execs.values()) exec.controller?.abort(new ProcessKilledError(SIGKILL));
    for (const container of this.containers.values()) {
      container.process?.controller.abort(new ProcessKilledError(SIGKILL));
      container.gate.resume();
      container.stdin?.end();
      container.hub.endAll();
      for (const waiter of [...container.waiters]) waiter.resolve();
      container.waiters.clear();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new DockerdSystemError('the simulated daemon is shutting down');
  }
}

const discard = { write: async (): Promise<void> => undefined };

/** Bytes of regular files in `node` that differ from `base` (a committed layer's size). */
function changedBytes(node: FsNode, base: FsNode | undefined): number {
  if (node.kind === 'file') {
    return base?.kind === 'file' && base.data.equals(node.data) ? 0 : node.data.length;
  }
  if (node.kind !== 'dir') return 0;
  let total = 0;
  for (const [name, child] of node.children) {
    total += changedBytes(child, base?.kind === 'dir' ? base.children.get(name) : undefined);
  }
  return total;
}

/** platforms.Normalize for architectures. */
function normaliseArch(arch: string): string {
  const aliases: Record<string, string> = {
    x86_64: 'amd64',
    'x86-64': 'amd64',
    aarch64: 'arm64',
    i386: '386',
  };
  return aliases[arch] ?? arch;
}
