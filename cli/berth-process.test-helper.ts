import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../suite/support/poll.js';

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
export async function waitForLine(running: BerthProcess, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const fail = (why: string): Error =>
    new Error(`no line matching ${pattern} ${why} (stdout: ${running.output}; stderr: ${running.errors})`);
  const seen = await eventually(
    () => (pattern.test(running.output) ? 'matched' : running.child.exitCode !== null ? 'exited' : undefined),
    { description: `a line matching ${pattern}`, timeoutMs },
  ).catch((error: unknown) => {
    throw Object.assign(fail(`within ${timeoutMs} ms`), { cause: error });
  });
  if (seen === 'exited') throw fail('before the process exited');
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
