import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup, trackChild } from './bench-cleanup.js';

export const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BERTH_BIN = join(REPO_ROOT, 'bin', 'berth.js');

/** A `berth serve` child process, as users run it; owns its temp dir. */
export interface ServeChild extends AsyncDisposable {
  readonly pid: number;
  /** The unix socket path it listens on. */
  readonly socketPath: string;
  readonly process: ChildProcess;
  /** Output so far (stdout and stderr). */
  output(): string;
  alive(): boolean;
  close(): Promise<void>;
}

/** VmRSS of a process in KiB, from /proc/<pid>/status. */
export function readRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Number of open file descriptors of a process (/proc/<pid>/fd). */
export function countFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `node bin/berth.js <args>` (with `{socket}` replaced) and waits for `ready` on stdout. */
export async function startBerthChild(
  args: readonly string[],
  ready: string,
  socketName = 'berth.sock',
): Promise<ServeChild> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-'));
  const socketPath = join(dir, socketName);
  const argv = [BERTH_BIN, ...args.map((arg) => arg.replace('{socket}', socketPath))];
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output = (output + text).slice(-64 * 1024)));
  const close = async (): Promise<void> => {
    unregister();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 3000))) {
        child.kill('SIGKILL');
        await waitExit(child, 3000);
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  const unregister = onCleanup(close);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`berth ${args[0]} did not start:\n${output}`)), 20_000);
      const onData = (): void => {
        if (output.includes(ready)) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`berth ${args[0]} exited with ${code}:\n${output}`));
      });
    });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    pid: child.pid!,
    socketPath,
    process: child,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Starts `node bin/berth.js serve --listen unix:///tmp/…/berth.sock --guest role=unix://…` and
 * resolves once it prints that it listens.
 */
export function startServeChild(
  guests: Readonly<Record<string, string>>,
  options: {
    readonly platforms?: Readonly<Record<string, string>>;
    readonly handshakeTimeoutMs?: number;
  } = {},
): Promise<ServeChild> {
  const args = ['serve', '--listen', 'unix://{socket}'];
  for (const [role, path] of Object.entries(guests)) args.push('--guest', `${role}=unix://${path}`);
  for (const [role, platform] of Object.entries(options.platforms ?? {}))
    args.push('--platform', `${role}=${platform}`);
  if (options.handshakeTimeoutMs !== undefined)
    args.push('--handshake-timeout-ms', String(options.handshakeTimeoutMs));
  return startBerthChild(args, 'berth serve listening on');
}

/** Starts `node bin/berth.js sim dockerd` on a temp unix socket (a guest in its own process). */
export function startSimChild(name: string, arch: 'amd64' | 'arm64' = 'amd64'): Promise<ServeChild> {
  return startBerthChild(
    ['sim', 'dockerd', '--listen', 'unix://{socket}', '--name', name, '--arch', arch],
    'listening on',
    'dockerd.sock',
  );
}
