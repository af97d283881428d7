import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { TargetUnavailableError } from '../support/suite-errors.js';

/** How much of a command's stderr is kept (its tail). */
const STDERR_TAIL_BYTES = 8192;
const STOP_GRACE_MS = 3000;

/**
 * A third party's command line, started through `/bin/sh -c` in its own process group (so the
 * shell and everything it starts are stopped together), with the tail of its stderr kept for
 * reports.
 */
export class LaunchedCommand implements AsyncDisposable {
  private readonly child: ChildProcess;
  private stderr = '';
  private stdoutTail = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly commandLine: string) {
    this.child = spawn('/bin/sh', ['-c', commandLine], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      this.child.once('error', (error) => {
        this.stderr += `\n(spawn failed: ${error.message})`;
        resolve({ code: null, signal: null });
      });
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // stdout is drained (a full pipe would block the command) and its tail kept too.
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      this.stdoutTail = (this.stdoutTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 8 KiB of what the command wrote to stderr. */
  stderrTail(): string {
    return this.stderr;
  }

  stdout(): string {
    return this.stdoutTail;
  }

  /**
   * Resolves once something accepts connections at `socketPath`; rejects with the command's
   * stderr when it exits first or does not listen within `timeoutMs`.
   */
  async waitForSocket(socketPath: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        const { code, signal } = await this.exited;
        throw new TargetUnavailableError(
          `the command exited (${signal ?? `code ${code}`}) before listening on ${socketPath}: ${this.commandLine}\nstderr: ${this.stderr.trim() || '(empty)'}`,
        );
      }
      if (await canConnect(socketPath)) return;
      if (Date.now() > deadline) {
        throw new TargetUnavailableError(
          `the command did not listen on ${socketPath} within ${timeoutMs} ms: ${this.commandLine}\nstderr: ${this.stderr.trim() || '(empty)'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** SIGTERM to the process group, SIGKILL after a grace period; resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.running && this.child.pid !== undefined) {
      signalGroup(this.child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
      }, STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    // Whatever the shell started and left behind goes too.
    if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
