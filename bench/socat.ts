import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup, trackChild } from './bench-cleanup.js';

/** How to get socat when it is missing. */
export const SOCAT_HINT = 'socat is not installed: apt-get install -y socat (Debian/Ubuntu)';

/** Debian's socat on PATH, or undefined. */
export function socatPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v socat'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/** socat relaying a fresh unix socket to `target`; resolves with its path and a stop function. */
export async function startSocat(
  socat: string,
  target: string,
): Promise<{ socketPath: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-socat-'));
  const socketPath = join(dir, 'socat.sock');
  const child = spawn(socat, [`UNIX-LISTEN:${socketPath},fork`, `UNIX-CONNECT:${target}`], {
    stdio: 'ignore',
  });
  trackChild(child);
  const close = async (): Promise<void> => {
    unregister();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await rm(dir, { recursive: true, force: true });
  };
  const unregister = onCleanup(close);
  for (let n = 0; n < 200 && !existsSync(socketPath); n += 1) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(socketPath)) {
    await close();
    throw new Error('socat did not create its socket');
  }
  return { socketPath, close };
}
