import type { ChildProcess } from 'node:child_process';

type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
const children = new Set<ChildProcess>();
let installed = false;

function killChildrenNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Runs every registered cleanup (newest first); safe to call more than once. */
export async function runCleanups(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      await cleanup();
    } catch {
      // Best effort: a cleanup must not stop the others.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`\nbench: ${signal}, cleaning up`);
    void runCleanups().finally(() => {
      killChildrenNow();
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killChildrenNow);
}

/** Registers a cleanup that also runs on Ctrl-C; returns a function that unregisters it. */
export function onCleanup(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Tracks a child process so that it is killed on Ctrl-C or exit even if nothing else stops it. */
export function trackChild(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}
