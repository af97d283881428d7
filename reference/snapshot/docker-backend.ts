import Dockerode from 'dockerode';
import type { Duplex } from 'node:stream';
import { createFrameDecoder } from '../../protocol/stdcopy-decoder.js';
import { buildDirectoryTar } from './directory-tar.js';
import { createLineSplitter } from './line-splitter.js';
import {
  ExecAbortedError,
  ExecExitUnknownError,
  ExecStreamError,
  ImagePullError,
  InjectError,
  SnapshotCommitError,
  SnapshotRemoveError,
  VmCreateError,
  VmDestroyedError,
  VmDestroyError,
  VmStartError,
} from './snapshot-errors.js';
import { pullTarget, snapshotTarget } from './snapshot-reference.js';
import type { ExecOptions, OutputSink, SnapshotId, SnapshotLabel, Vm, VmBackend } from './snapshot-types.js';

export interface DockerBackendOptions {
  /** A client, or where to reach the daemon. */
  readonly docker: Dockerode | { readonly socketPath: string };
  /** Labels put on every container (and so on every snapshot committed from one). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra HostConfig for every container (for example `{ NetworkMode: 'none' }`). */
  readonly hostConfig?: Readonly<Record<string, unknown>>;
  /** P-E3: inspections of a finished exec before a missing exit code is an error; default 20. */
  readonly exitCodeAttempts?: number;
  /** Pause between those inspections; default 50 ms. */
  readonly exitCodeRetryMs?: number;
}

/** The Docker-backed VM: a labelled container running `sleep infinity`. */
export interface DockerBackend extends VmBackend {
  readonly docker: Dockerode;
}

interface DockerError {
  readonly statusCode?: number;
}

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null ? (error as DockerError).statusCode : undefined;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads a pull's progress stream to its end; an in-stream `error` rejects. */
function drainPull(stream: NodeJS.ReadableStream, image: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: ImagePullError | undefined;
    const splitter = createLineSplitter((line) => {
      if (line.trim() === '' || failure) return;
      try {
        const message = JSON.parse(line) as { error?: unknown; errorDetail?: { message?: unknown } };
        if (message.error !== undefined || message.errorDetail !== undefined) {
          failure = new ImagePullError(image, String(message.errorDetail?.message ?? message.error));
        }
      } catch (error) {
        failure = new ImagePullError(image, 'unreadable progress message', { cause: error });
      }
    });
    stream.on('data', (chunk: Buffer | string) => splitter.push(Buffer.from(chunk)));
    stream.on('error', (error: Error) =>
      reject(new ImagePullError(image, 'progress stream broke', { cause: error })),
    );
    stream.on('end', () => {
      splitter.end();
      if (failure) reject(failure);
      else resolve();
    });
  });
}

/** Streams one hijacked exec connection into the sink, line by line, until the daemon ends it. */
function pumpExec(
  stream: Duplex,
  sink: OutputSink,
  containerId: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const decoder = createFrameDecoder({ mode: 'multiplexed' });
    const stdout = createLineSplitter((line) => sink.onStdout(line));
    const stderr = createLineSplitter((line) => sink.onStderr(line));
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        stream.destroy();
        reject(error);
      } else resolve();
    };
    const deliver = (result: ReturnType<typeof decoder.push>): boolean => {
      for (const frame of result.frames) {
        if (frame.stream === 'stdout') stdout.push(frame.payload);
        else if (frame.stream === 'stderr') stderr.push(frame.payload);
      }
      if (!result.ok) finish(new ExecStreamError(containerId, 'bad stdcopy stream', { cause: result.error }));
      return result.ok;
    };
    const onAbort = (): void => finish(new ExecAbortedError(containerId, { cause: signal?.reason }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      if (!settled) deliver(decoder.push(chunk));
    });
    stream.on('error', (error: Error) =>
      finish(new ExecStreamError(containerId, 'stream error', { cause: error })),
    );
    stream.on('end', () => {
      if (settled) return;
      if (!deliver(decoder.end())) return;
      // P-E4: a last line without a newline is emitted once, at the end of the stream.
      stdout.end();
      stderr.end();
      finish();
    });
    stream.on('close', () => finish(new ExecStreamError(containerId, 'stream closed before its end')));
  });
}

class DockerVm implements Vm {
  #id: string | undefined;
  readonly containerId: string;

  constructor(
    private readonly backend: DockerBackendImpl,
    containerId: string,
  ) {
    this.#id = containerId;
    this.containerId = containerId;
  }

  #live(operation: string): Dockerode.Container {
    if (this.#id === undefined) throw new VmDestroyedError(this.containerId, operation);
    return this.backend.docker.getContainer(this.#id);
  }

  async inject(hostPath: string, guestPath: string): Promise<void> {
    const container = this.#live('inject');
    try {
      // SNP-5 step 1: create the target directory; its output and exit code are not used.
      await this.exec(`mkdir -p '${guestPath.replace(/'/g, `'\\''`)}'`, {}, { onStdout() {}, onStderr() {} });
      // SNP-5 steps 2-3
      await container.putArchive(await buildDirectoryTar(hostPath), { path: guestPath });
    } catch (error) {
      throw new InjectError(hostPath, this.containerId, guestPath, { cause: error });
    }
  }

  async exec(cmd: string, options: ExecOptions, sink: OutputSink): Promise<number> {
    const container = this.#live('exec');
    const { signal } = options;
    if (signal?.aborted) throw new ExecAbortedError(this.containerId, { cause: signal.reason });
    let exec: Dockerode.Exec;
    let stream: Duplex;
    try {
      // SNP-4: sh -c, Env as K=V, WorkingDir, stdout and stderr attached, no TTY, no stdin.
      exec = await container.exec({
        Cmd: ['sh', '-c', cmd],
        Env: (options.env ?? []).map(([key, value]) => `${key}=${value}`),
        ...(options.workingDir === undefined ? {} : { WorkingDir: options.workingDir }),
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: false,
        Tty: false,
      });
      stream = await exec.start({ hijack: true, stdin: false });
    } catch (error) {
      throw new ExecStreamError(this.containerId, 'could not start the exec', { cause: error });
    }
    await pumpExec(stream, sink, this.containerId, signal);
    return this.#exitCode(exec);
  }

  /** P-E3: a missing exit code is retried, then an error; never read as success. */
  async #exitCode(exec: Dockerode.Exec): Promise<number> {
    const attempts = this.backend.options.exitCodeAttempts ?? 20;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const info = await exec.inspect();
        if (!info.Running && typeof info.ExitCode === 'number') return info.ExitCode;
      } catch (error) {
        if (attempt === attempts)
          throw new ExecStreamError(this.containerId, 'inspecting the exec failed', { cause: error });
      }
      await delay(this.backend.options.exitCodeRetryMs ?? 50);
    }
    throw new ExecExitUnknownError(exec.id, attempts);
  }

  async snapshot(label: SnapshotLabel): Promise<SnapshotId> {
    const container = this.#live('snapshot');
    const { repository, tag } = snapshotTarget(label, this.containerId);
    const reference = `${repository}:${tag}`;
    try {
      // SNP-6, P-E9: commit without pausing; the command has finished, only `sleep` still runs.
      await container.commit({ repo: repository, tag, pause: false });
    } catch (error) {
      throw new SnapshotCommitError(reference, { cause: error });
    }
    return reference;
  }

  async destroy(): Promise<void> {
    const id = this.#id;
    if (id === undefined) return;
    this.#id = undefined;
    await this.backend.removeContainer(id);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }
}

class DockerBackendImpl implements DockerBackend {
  readonly docker: Dockerode;

  constructor(readonly options: DockerBackendOptions) {
    this.docker =
      options.docker instanceof Dockerode
        ? options.docker
        : new Dockerode({ socketPath: options.docker.socketPath });
  }

  async create(image: string): Promise<Vm> {
    // SNP-10, P-E1: check for the exact reference a pull would fetch; an untagged name used as a
    // reference filter would match any of its tags.
    const { fromImage, tag } = pullTarget(image);
    const reference = tag === '' ? fromImage : `${fromImage}:${tag}`;
    if (!(await this.snapshotExists(reference))) await this.#pull(image);
    return this.#start(reference);
  }

  /** SNP-3: never pulls; a missing snapshot fails the create. */
  restore(snapshot: SnapshotId): Promise<Vm> {
    return this.#start(snapshot);
  }

  /** SNP-10: the reference filter is a glob; a snapshot ID has no glob characters of its own. */
  async snapshotExists(snapshot: SnapshotId): Promise<boolean> {
    const images = await this.docker.listImages({ filters: JSON.stringify({ reference: [snapshot] }) });
    return images.length > 0;
  }

  async removeSnapshot(snapshot: SnapshotId): Promise<void> {
    try {
      await this.docker.getImage(snapshot).remove({ force: true, noprune: false });
    } catch (error) {
      throw new SnapshotRemoveError(snapshot, { cause: error });
    }
  }

  /** SNP-1, P-E1 */
  async #pull(image: string): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.createImage(pullTarget(image));
    } catch (error) {
      throw new ImagePullError(image, `the daemon answered ${statusOf(error) ?? 'with an error'}`, {
        cause: error,
      });
    }
    await drainPull(stream, image);
  }

  async #start(image: string): Promise<Vm> {
    let container: Dockerode.Container;
    try {
      // SNP-1 step 2, P-E2: clear the image's entrypoint so that `sh -c` is what runs.
      container = await this.docker.createContainer({
        Image: image,
        Entrypoint: [],
        Cmd: ['sh', '-c', 'sleep infinity'],
        Labels: { ...this.options.labels },
        HostConfig: { ...this.options.hostConfig },
      });
    } catch (error) {
      throw new VmCreateError(image, { cause: error });
    }
    try {
      await container.start();
    } catch (error) {
      // SNP-2: a container that did not start is removed, not leaked.
      await this.removeContainer(container.id).catch(() => undefined);
      throw new VmStartError(container.id, { cause: error });
    }
    return new DockerVm(this, container.id);
  }

  /** SNP-7: stop at once (errors ignored), then force-remove with volumes. */
  async removeContainer(id: string): Promise<void> {
    const container = this.docker.getContainer(id);
    await container.stop({ t: 0 }).catch(() => undefined);
    try {
      await container.remove({ v: true, force: true });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw new VmDestroyError(id, { cause: error });
    }
  }
}

/** The reference snapshot backend over a Docker Engine API endpoint. */
export function createDockerBackend(options: DockerBackendOptions): DockerBackend {
  return new DockerBackendImpl(options);
}
