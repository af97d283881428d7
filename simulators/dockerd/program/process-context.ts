import type { Buffer } from 'node:buffer';
import type { MemoryFs } from '../fs/memory-fs.js';
import type { InputPipe } from './input-pipe.js';
import { killedReason } from './process-killed-error.js';

/** Where a process writes: resolves once the bytes are accepted (backpressure), rejects if killed. */
export interface ProcessOutput {
  write(data: Buffer | string): Promise<void>;
}

/** The terminal of a process started with a TTY. */
export interface TtySize {
  rows: number;
  cols: number;
}

/** Freezes a paused container: sleeps and writes wait while it is paused. */
export interface PauseGate {
  readonly paused: boolean;
  whenRunning(signal: AbortSignal): Promise<void>;
}

/** What the kernel gives a process: a kill signal, time, identity. */
export interface ProcessRuntime {
  /** Aborted with a ProcessKilledError when the process is killed. */
  readonly signal: AbortSignal;
  readonly pid: number;
  readonly hostname: string;
  /** Set when the process runs on a TTY. */
  readonly tty: TtySize | undefined;
  /** Sleeps `ms` (Infinity: until killed); pause-aware; rejects when killed. */
  sleep(ms: number): Promise<void>;
  /** Waits while paused; throws when killed. */
  checkpoint(): Promise<void>;
}

export interface ProcessContext {
  readonly argv: readonly string[];
  readonly env: Map<string, string>;
  cwd: string;
  readonly fs: MemoryFs;
  readonly stdin: InputPipe;
  readonly stdout: ProcessOutput;
  readonly stderr: ProcessOutput;
  readonly runtime: ProcessRuntime;
  /** Prefix of error messages when not argv[0] (ash builtins say "sh: ..."). */
  readonly errorPrefix?: string;
}

export interface ProcessRuntimeOptions {
  readonly signal: AbortSignal;
  readonly pid: number;
  readonly hostname: string;
  readonly tty?: TtySize | undefined;
  readonly gate?: PauseGate;
}

export function createProcessRuntime(options: ProcessRuntimeOptions): ProcessRuntime {
  const { signal, gate } = options;
  const checkpoint = async (): Promise<void> => {
    if (signal.aborted) throw killedReason(signal);
    if (gate?.paused) await gate.whenRunning(signal);
    if (signal.aborted) throw killedReason(signal);
  };
  return {
    signal,
    pid: options.pid,
    hostname: options.hostname,
    tty: options.tty,
    checkpoint,
    async sleep(ms) {
      await checkpoint();
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(killedReason(signal));
          return;
        }
        const onAbort = (): void => {
          if (timer) clearTimeout(timer);
          reject(killedReason(signal));
        };
        const timer = Number.isFinite(ms)
          ? setTimeout(
              () => {
                signal.removeEventListener('abort', onAbort);
                resolve();
              },
              Math.max(0, ms),
            )
          : undefined;
        timer?.unref();
        signal.addEventListener('abort', onAbort, { once: true });
      });
      await checkpoint();
    },
  };
}
