/** What a soak run observed; evaluateSoak turns it into a verdict. */
export interface SoakStats {
  readonly requests: number;
  readonly faulted: number;
  readonly seconds: number;
  /** berth serve exited, or stopped answering /_ping at the end. */
  readonly crashes: number;
  /** Requests that did not end within their deadline. */
  readonly hangs: number;
  readonly fdsStart: number;
  readonly fdsEnd: number;
  readonly rssWarmKiB: number;
  readonly rssEndKiB: number;
  /** final RSS must be <= rssBound × the RSS after warm-up. */
  readonly rssBound: number;
}

export interface SoakVerdict {
  readonly ok: boolean;
  readonly failures: readonly string[];
  readonly line: string;
}

const mib = (kib: number): string => (kib / 1024).toFixed(0);

export function evaluateSoak(stats: SoakStats): SoakVerdict {
  const leaked = Math.max(0, stats.fdsEnd - stats.fdsStart);
  const failures: string[] = [];
  if (stats.crashes > 0) failures.push(`${stats.crashes} crash(es)`);
  if (stats.hangs > 0) failures.push(`${stats.hangs} hang(s)`);
  if (leaked > 0) failures.push(`${leaked} leaked fd(s) (${stats.fdsStart} → ${stats.fdsEnd})`);
  if (stats.rssEndKiB > stats.rssWarmKiB * stats.rssBound) {
    failures.push(
      `RSS grew beyond ${stats.rssBound}x (${mib(stats.rssWarmKiB)} → ${mib(stats.rssEndKiB)} MiB)`,
    );
  }
  if (stats.requests === 0) failures.push('no requests were made');
  const ok = failures.length === 0;
  const line =
    `soak: ${stats.requests} requests (${stats.faulted} faulted) in ${stats.seconds.toFixed(0)} s, ` +
    `${stats.crashes} crashes, ${stats.hangs} hangs, ${leaked} leaked fds, ` +
    `RSS ${mib(stats.rssWarmKiB)}→${mib(stats.rssEndKiB)} MiB (bound ${stats.rssBound}x): ` +
    (ok ? 'ok' : `FAILED: ${failures.join('; ')}`);
  return { ok, failures, line };
}

/**
 * Polls `count` until it is at most `baseline` or `timeoutMs` passes (sockets close
 * asynchronously); resolves with the last count.
 */
export async function settleCount(count: () => number, baseline: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = count();
  while (last > baseline && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = count();
  }
  return last;
}
