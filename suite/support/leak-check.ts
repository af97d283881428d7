import { beforeEach } from 'vitest';
import { eventually } from './poll.js';

/** How long a test's resources may take to close after it ends: generous for a loaded machine. */
const LEAK_WAIT_MS = 10_000;

/** libuv handle kinds that mean a socket, server or child process is still open. */
const WATCHED_KINDS = new Set([
  'TCPSocketWrap',
  'TCPServerWrap',
  'PipeWrap',
  'PipeServerWrap',
  'ProcessWrap',
  'UDPWrap',
]);

export type HandleCounts = ReadonlyMap<string, number>;

/** Extra counters of resources that have no libuv handle (in-memory sockets, for instance). */
export type LeakProbe = { readonly name: string; readonly count: () => number };

export function countOpenHandles(probes: readonly LeakProbe[] = []): HandleCounts {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (WATCHED_KINDS.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  for (const probe of probes) counts.set(probe.name, probe.count());
  return counts;
}

function excess(now: HandleCounts, baseline: HandleCounts): string[] {
  const lines: string[] = [];
  for (const [kind, n] of now) {
    const before = baseline.get(kind) ?? 0;
    if (n > before) lines.push(`${kind}: ${before} before, ${n} after`);
  }
  return lines;
}

/**
 * Waits (polling, up to `timeoutMs`) until no more sockets, servers, child processes or probed
 * resources are open than in `baseline`; throws naming what stayed open otherwise.
 */
export async function assertNoLeaks(
  baseline: HandleCounts,
  options: { readonly probes?: readonly LeakProbe[]; readonly timeoutMs?: number } = {},
): Promise<void> {
  // Sockets and child processes close a few event-loop turns after their owner let go of them.
  await eventually(() => excess(countOpenHandles(options.probes), baseline), {
    description: 'every socket, server, child process and probed resource of this test to be closed',
    accept: (left) => left.length === 0,
    timeoutMs: options.timeoutMs ?? LEAK_WAIT_MS,
    intervalMs: 10,
  });
}

/**
 * Fails any test of the current file or describe block that leaves sockets, servers, child
 * processes or probed resources open. The check runs after the test's own `onTestFinished`
 * cleanups (registered first, so it runs last) and after `afterEach` hooks.
 */
export function useLeakCheck(probes: readonly LeakProbe[] = []): void {
  beforeEach(({ onTestFinished }) => {
    const baseline = countOpenHandles(probes);
    onTestFinished(() => assertNoLeaks(baseline, { probes }));
  });
}
