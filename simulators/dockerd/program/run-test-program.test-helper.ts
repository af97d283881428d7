import { Buffer } from 'node:buffer';
import { MemoryFs } from '../fs/memory-fs.js';
import { buildBusyboxTree } from '../engine/seed-image.js';
import { InputPipe } from './input-pipe.js';
import { launchProgram } from './launch-program.js';
import { createProcessRuntime, type PauseGate, type ProcessOutput, type TtySize } from './process-context.js';
import { ProcessKilledError } from './process-killed-error.js';
import { DEFAULT_PATH } from './resolve-command.js';

export interface ProgramRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Interleaved output, as a TTY would show it. */
  readonly output: string;
}

export interface RunOptions {
  readonly stdin?: string;
  /** Keep stdin open (the test writes to `process.stdin` itself). */
  readonly openStdin?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly fs?: MemoryFs;
  readonly tty?: TtySize;
  readonly gate?: PauseGate;
}

/** A started program of the model, with its stdin and a kill switch. */
export interface StartedProgram {
  readonly stdin: InputPipe;
  readonly result: Promise<ProgramRun>;
  kill(signal?: number): void;
  /** Output so far. */
  readonly stdout: () => string;
}

/** A fresh busybox tree like the seed image's. */
export function busyboxFs(): MemoryFs {
  return buildBusyboxTree(() => BigInt(Date.now()) * 1_000_000n, 0n);
}

/** Starts argv in the program model (as a container would); the launch error is a run with its status. */
export function startProgram(argv: readonly string[], options: RunOptions = {}): StartedProgram {
  const fs = options.fs ?? busyboxFs();
  const stdin = new InputPipe();
  if (options.stdin !== undefined) stdin.write(Buffer.from(options.stdin));
  if (!options.openStdin) stdin.end();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  const sink = (target: Buffer[]): ProcessOutput => ({
    async write(data) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
      target.push(bytes);
      all.push(bytes);
    },
  });
  const controller = new AbortController();
  const env = new Map<string, string>([
    ['PATH', DEFAULT_PATH],
    ['HOSTNAME', 'testhost'],
    ...Object.entries(options.env ?? {}),
    ['HOME', '/root'],
  ]);
  const launch = launchProgram({
    argv,
    env,
    cwd: options.cwd ?? '/',
    fs,
    stdin,
    stdout: sink(out),
    stderr: sink(err),
    runtime: createProcessRuntime({
      signal: controller.signal,
      pid: 1,
      hostname: 'testhost',
      tty: options.tty,
      ...(options.gate ? { gate: options.gate } : {}),
    }),
  });
  const text = (parts: Buffer[]): string => Buffer.concat(parts).toString('utf8');
  const result = launch.ok
    ? launch.exit.then((status) => ({ status, stdout: text(out), stderr: text(err), output: text(all) }))
    : Promise.resolve({
        status: launch.exitCode,
        stdout: '',
        stderr: launch.message,
        output: launch.message,
      });
  return {
    stdin,
    result,
    kill: (signal = 9) => controller.abort(new ProcessKilledError(signal)),
    stdout: () => text(out),
  };
}

/** Runs argv to completion. */
export function runProgram(argv: readonly string[], options: RunOptions = {}): Promise<ProgramRun> {
  return startProgram(argv, options).result;
}

/** Runs `sh -c script`. */
export function runSh(script: string, options: RunOptions = {}): Promise<ProgramRun> {
  return runProgram(['sh', '-c', script], options);
}

export { MemoryFs };
