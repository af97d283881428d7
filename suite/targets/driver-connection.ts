import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import {
  DriverChannel,
  type CallbackHandler,
  type DriverExchange,
  type RequestOptions,
} from './driver-channel.js';
import type { StreamPort } from './driver-codec.js';
import { DriverClosedError, DriverExitedError, DriverSpawnError } from './driver-errors.js';
import {
  OPS,
  PROTOCOL_VERSION,
  readHello,
  type Hello,
  type JsonObject,
  type JsonValue,
} from './driver-wire.js';

/** How much of the driver's stderr is kept (the tail), in characters. */
export const STDERR_TAIL_LIMIT = 8 * 1024;
/** Default deadline of one request. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

export interface DriverConnectionOptions {
  /** The command line, run through `/bin/sh -c`. */
  readonly command: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Deadline of each request (not the hello, which has its own); default 10 s. */
  readonly callTimeoutMs?: number;
  /** Longest line accepted from the driver, in bytes (default 16 MiB). */
  readonly maxLineBytes?: number;
  /** How long the driver may take to exit after its stdin closes, then after SIGTERM. */
  readonly exitGraceMs?: number;
  /** Called after each finished exchange (for transcripts). */
  readonly onExchange?: (exchange: DriverExchange) => void;
}

/** How long to wait for the exit status after the driver closed its stdout. */
const EXIT_AFTER_EOF_MS = 1000;
/** How long the driver's output is still read after it exited (when something else holds it open). */
const STDIO_AFTER_EXIT_MS = 250;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * A driver process speaking the driver protocol over its stdin/stdout: started with
 * `/bin/sh -c command` in its own process group, stderr kept (the last 8 KiB) and attached to
 * failures. When the driver exits, every waiting call fails with its exit status and stderr tail.
 * Disposal closes stdin (a driver exits 0 on EOF), then sends SIGTERM and SIGKILL to the group.
 */
export class DriverConnection implements AsyncDisposable {
  readonly command: string;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #channel: DriverChannel;
  readonly #exitGraceMs: number;
  #stderr = '';
  #exit: { code: number | null; signal: string | null } | undefined;
  readonly #exited: Promise<void>;
  #disposing: Promise<void> | undefined;

  constructor(options: DriverConnectionOptions) {
    this.command = options.command;
    this.#exitGraceMs = options.exitGraceMs ?? 2000;
    this.#child = spawn('/bin/sh', ['-c', options.command], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so the whole group can be signalled
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const child = this.#child;
    this.#channel = new DriverChannel({
      input: child.stdout,
      output: child.stdin,
      timeoutMs: options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
      ...(options.onExchange === undefined ? {} : { onExchange: options.onExchange }),
      stderrTail: () => this.stderrTail(),
      onTransportEnd: (reason) => this.#transportEnded(reason),
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.#stderr += chunk;
      if (this.#stderr.length > STDERR_TAIL_LIMIT * 2) this.#stderr = this.#stderr.slice(-STDERR_TAIL_LIMIT);
    });
    child.stderr.on('error', () => undefined);
    const stdioClosed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        this.#exit = { code, signal };
        resolve();
        // What the driver wrote just before it exited is still read; a process it left behind
        // holding its stdout does not keep the waiting calls waiting.
        void Promise.race([stdioClosed, wait(STDIO_AFTER_EXIT_MS)]).then(() =>
          this.#channel.close(new DriverExitedError(code, signal, this.stderrTail())),
        );
      });
    });
    child.once('error', (error) => {
      this.#channel.close(new DriverSpawnError(this.command, { cause: error }));
    });
  }

  /** The driver's process id (the shell's, which is also its process group). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The last 8 KiB the driver wrote to stderr. */
  stderrTail(): string {
    return this.#stderr.length > STDERR_TAIL_LIMIT ? this.#stderr.slice(-STDERR_TAIL_LIMIT) : this.#stderr;
  }

  /** Why the connection is closed, or undefined while it works. */
  get closeReason(): Error | undefined {
    return this.#channel.closeReason;
  }

  /** Resolves when the connection closes (driver exit, protocol violation, disposal). */
  get closed(): Promise<Error> {
    return this.#channel.closed;
  }

  /** The exit status, once the driver has exited. */
  get exitStatus(): { readonly code: number | null; readonly signal: string | null } | undefined {
    return this.#exit;
  }

  /** The handshake: `driver.hello` within `timeoutMs`; a wrong answer closes the connection. */
  async hello(timeoutMs: number, client = 'berth'): Promise<Hello> {
    const result = await this.#channel.request(
      OPS.hello,
      { protocol: PROTOCOL_VERSION, client },
      { timeoutMs },
    );
    try {
      return readHello(result);
    } catch (error) {
      this.#channel.close(error as Error);
      throw error;
    }
  }

  request(op: string, args: JsonObject, options?: RequestOptions): Promise<JsonValue> {
    return this.#channel.request(op, args, options);
  }

  /** Serves an operation the driver may request (a callback). */
  serve(op: string, handler: CallbackHandler): void {
    this.#channel.serve(op, handler);
  }

  /** How values in requests and answers reach streams (for the codec of driver-codec.ts). */
  get streams(): StreamPort {
    return this.#channel;
  }

  /** The driver closed stdout or a pipe failed: the exit status usually follows; wait a moment for it. */
  #transportEnded(reason: Error): void {
    void Promise.race([this.#exited, wait(EXIT_AFTER_EOF_MS)]).then(() => {
      if (this.#exit === undefined) {
        this.#channel.close(
          new DriverClosedError(`${reason.message} (the driver is still running)`, this.stderrTail()),
        );
      }
    });
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  }

  #groupAlive(): boolean {
    const pid = this.#child.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async #exitedWithin(ms: number): Promise<boolean> {
    await Promise.race([this.#exited, wait(ms)]);
    return this.#exit !== undefined;
  }

  async #dispose(): Promise<void> {
    this.#channel.close(new DriverClosedError('the suite closed the driver connection', this.stderrTail()));
    if (this.#child.pid !== undefined && this.#exit === undefined) {
      // 1. EOF on stdin: a driver exits 0. 2. SIGTERM to the group. 3. SIGKILL to the group.
      this.#child.stdin.end();
      if (!(await this.#exitedWithin(this.#exitGraceMs))) {
        this.#signal('SIGTERM');
        if (!(await this.#exitedWithin(this.#exitGraceMs))) {
          this.#signal('SIGKILL');
          await this.#exited;
        }
      }
    }
    // Whatever the driver left behind in its process group goes too.
    if (this.#groupAlive()) this.#signal('SIGKILL');
    this.#child.stdin.destroy();
    this.#child.stdout.destroy();
    this.#child.stderr.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#disposing ??= this.#dispose();
    await this.#disposing;
  }
}
