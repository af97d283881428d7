import {
  displayContainerId,
  type ContainerId,
  type LogChunk,
  type Runtime,
  type StatsSample,
} from '../../protocol/runtime.js';
import { RuntimeUnsupportedError } from '../../protocol/runtime-errors.js';

export type RuntimeMethod = keyof Runtime;

/** One call a mock received: which mock, which method, which container (display form). */
export interface RuntimeCall {
  readonly runtime: string;
  readonly method: RuntimeMethod;
  readonly id?: string;
  readonly args: readonly unknown[];
}

/** What a scripted call answers: a value or an error. */
export type Outcome<M extends RuntimeMethod> =
  { readonly value: Awaited<ReturnType<Runtime[M]>> } | { readonly error: Error };

export class UnconsumedScriptError extends Error {
  readonly code = 'ERR_MOCK_RUNTIME_UNCONSUMED';
  constructor(
    readonly runtime: string,
    readonly left: readonly string[],
  ) {
    super(`mock runtime '${runtime}' still has scripted answers for: ${left.join(', ')}`);
  }
}

async function* chunksOf<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

type Defaults = { [M in RuntimeMethod]: (id?: ContainerId) => Outcome<M> };

/** What an unscripted call answers: success with an empty value; streams are Unsupported. */
const DEFAULTS: Defaults = {
  pullImage: () => ({ value: undefined }),
  listImages: () => ({ value: [] }),
  removeImage: () => ({ value: undefined }),
  tagImage: () => ({ value: undefined }),
  pruneImages: () => ({ value: { deleted: [], spaceReclaimed: 0 } }),
  createContainer: () => ({ value: undefined }),
  startContainer: () => ({ value: undefined }),
  stopContainer: () => ({ value: undefined }),
  removeContainer: () => ({ value: undefined }),
  containerState: () => ({ value: 'running' }),
  exec: () => ({ value: { exitCode: 0, stdout: '', stderr: '' } }),
  execWithOpts: () => ({ value: { exitCode: 0, stdout: '', stderr: '' } }),
  containerLogs: () => ({ value: [] }),
  logsStream: () => ({ error: new RuntimeUnsupportedError('logs_stream') }),
  containerStats: () => ({ value: { cpuUsageUsec: 0, memoryBytes: 0, memoryLimit: 0 } }),
  statsStream: () => ({ error: new RuntimeUnsupportedError('stats_stream') }),
  waitContainer: () => ({ value: 0 }),
  renameContainer: () => ({ value: undefined }),
  killContainer: () => ({ value: undefined }),
  pauseContainer: () => ({ value: undefined }),
  unpauseContainer: () => ({ value: undefined }),
  inspectContainer: (id) => ({
    value: { id: id === undefined ? '' : displayContainerId(id), name: '', image: '', status: 'running' },
  }),
  listContainers: () => ({ value: [] }),
  archiveGet: () => ({ value: new Uint8Array() }),
  archivePut: () => ({ value: undefined }),
  commitContainer: () => ({ value: 'sha256:0' }),
};

const isContainerId = (value: unknown): value is ContainerId =>
  typeof value === 'object' && value !== null && 'service' in value && 'replica' in value;

/**
 * A scripted runtime double. Each method answers from its queue of one-shot outcomes, then from
 * its standing outcome (`always`), then with an empty success. Every call is recorded, also in a
 * shared journal when one is given; `assertConsumed()` fails while scripted answers are left.
 */
export class MockRuntime implements Runtime {
  readonly calls: RuntimeCall[] = [];
  readonly #queues = new Map<RuntimeMethod, Outcome<RuntimeMethod>[]>();
  readonly #standing = new Map<RuntimeMethod, Outcome<RuntimeMethod>>();

  constructor(
    readonly name: string,
    readonly journal?: RuntimeCall[],
  ) {}

  /** Queues one-shot answers for `method`, used in order. */
  script<M extends RuntimeMethod>(method: M, ...outcomes: Outcome<M>[]): this {
    const queue = this.#queues.get(method) ?? [];
    queue.push(...outcomes);
    this.#queues.set(method, queue);
    return this;
  }

  /** Sets the answer `method` gives whenever no one-shot answer is queued. */
  always<M extends RuntimeMethod>(method: M, outcome: Outcome<M>): this {
    this.#standing.set(method, outcome);
    return this;
  }

  /** The recorded calls of one method. */
  callsOf(method: RuntimeMethod): RuntimeCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  assertConsumed(): void {
    const left = [...this.#queues].filter(([, queue]) => queue.length > 0).map(([method]) => method);
    if (left.length > 0) throw new UnconsumedScriptError(this.name, left);
  }

  #answer<M extends RuntimeMethod>(method: M, args: unknown[]): Promise<Awaited<ReturnType<Runtime[M]>>> {
    const first = args[0];
    const id = isContainerId(first) ? first : undefined;
    const call: RuntimeCall =
      id === undefined
        ? { runtime: this.name, method, args }
        : { runtime: this.name, method, id: displayContainerId(id), args };
    this.calls.push(call);
    this.journal?.push(call);
    const outcome = (this.#queues.get(method)?.shift() ??
      this.#standing.get(method) ??
      DEFAULTS[method](id)) as Outcome<M>;
    return 'error' in outcome ? Promise.reject(outcome.error) : Promise.resolve(outcome.value);
  }

  pullImage = (...args: Parameters<Runtime['pullImage']>) => this.#answer('pullImage', args);
  listImages = () => this.#answer('listImages', []);
  removeImage = (...args: Parameters<Runtime['removeImage']>) => this.#answer('removeImage', args);
  tagImage = (...args: Parameters<Runtime['tagImage']>) => this.#answer('tagImage', args);
  pruneImages = () => this.#answer('pruneImages', []);
  createContainer = (...args: Parameters<Runtime['createContainer']>) =>
    this.#answer('createContainer', args);
  startContainer = (...args: Parameters<Runtime['startContainer']>) => this.#answer('startContainer', args);
  stopContainer = (...args: Parameters<Runtime['stopContainer']>) => this.#answer('stopContainer', args);
  removeContainer = (...args: Parameters<Runtime['removeContainer']>) =>
    this.#answer('removeContainer', args);
  containerState = (...args: Parameters<Runtime['containerState']>) => this.#answer('containerState', args);
  exec = (...args: Parameters<Runtime['exec']>) => this.#answer('exec', args);
  execWithOpts = (...args: Parameters<Runtime['execWithOpts']>) => this.#answer('execWithOpts', args);
  containerLogs = (...args: Parameters<Runtime['containerLogs']>) => this.#answer('containerLogs', args);
  logsStream = (...args: Parameters<Runtime['logsStream']>) => this.#answer('logsStream', args);
  containerStats = (...args: Parameters<Runtime['containerStats']>) => this.#answer('containerStats', args);
  statsStream = (...args: Parameters<Runtime['statsStream']>) => this.#answer('statsStream', args);
  waitContainer = (...args: Parameters<Runtime['waitContainer']>) => this.#answer('waitContainer', args);
  renameContainer = (...args: Parameters<Runtime['renameContainer']>) =>
    this.#answer('renameContainer', args);
  killContainer = (...args: Parameters<Runtime['killContainer']>) => this.#answer('killContainer', args);
  pauseContainer = (...args: Parameters<Runtime['pauseContainer']>) => this.#answer('pauseContainer', args);
  unpauseContainer = (...args: Parameters<Runtime['unpauseContainer']>) =>
    this.#answer('unpauseContainer', args);
  inspectContainer = (...args: Parameters<Runtime['inspectContainer']>) =>
    this.#answer('inspectContainer', args);
  listContainers = () => this.#answer('listContainers', []);
  archiveGet = (...args: Parameters<Runtime['archiveGet']>) => this.#answer('archiveGet', args);
  archivePut = (...args: Parameters<Runtime['archivePut']>) => this.#answer('archivePut', args);
  commitContainer = (...args: Parameters<Runtime['commitContainer']>) =>
    this.#answer('commitContainer', args);
}

/** A stream outcome for `logsStream` scripts. */
export function logStreamOf(chunks: readonly LogChunk[]): AsyncIterable<LogChunk> {
  return chunksOf(chunks);
}

/** A stream outcome for `statsStream` scripts. */
export function statsStreamOf(samples: readonly StatsSample[]): AsyncIterable<StatsSample> {
  return chunksOf(samples);
}
