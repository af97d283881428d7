import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const BERTH = join(import.meta.dirname, '..', 'bin', 'berth.js');

/** A `berth` child process started by a test, with what it printed so far. */
export interface BerthProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output: string;
  errors: string;
}

/** Starts `node bin/berth.js ...args` as a user would run it. */
export function startBerth(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): BerthProcess {
  const child = spawn(process.execPath, [BERTH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const running: BerthProcess = {
    child,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    output: '',
    errors: '',
  };
  child.stdout.on('data', (chunk: Buffer) => (running.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (running.errors += chunk.toString()));
  return running;
}

/** Polls the process's stdout for `pattern`; fails early if the process exits. */
export async function waitForLine(running: BerthProcess, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(running.output)) {
    if (Date.now() > deadline || running.child.exitCode !== null) {
      throw new Error(`no line matching ${pattern} (stdout: ${running.output}; stderr: ${running.errors})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once every process has exited. */
export async function stopBerths(processes: BerthProcess[], graceMs = 5000): Promise<void> {
  for (const running of processes.splice(0)) {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), graceMs);
    await running.exited;
    clearTimeout(timer);
  }
}
