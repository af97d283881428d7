import { Client } from 'undici';

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface LoadOptions {
  readonly socketPath: string;
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  /** Parallel keep-alive HTTP/1.1 connections, each sending one request after another. */
  readonly concurrency: number;
  /** Measured time after a short warm-up. */
  readonly durationMs: number;
  readonly warmupMs?: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Closed-loop load: `concurrency` undici Clients (one keep-alive connection each). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const clients = Array.from(
    { length: options.concurrency },
    () => new Client('http://localhost', { socketPath: options.socketPath, pipelining: 1 }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const worker = async (client: Client): Promise<void> => {
    while (!stop) {
      const start = process.hrtime.bigint();
      try {
        const answer = await client.request({ method: options.method ?? 'GET', path: options.path });
        await answer.body.dump();
        if (answer.statusCode >= 400) errors += 1;
      } catch {
        errors += 1;
      }
      if (measuring) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  };
  try {
    const running = clients.map((client) => worker(client));
    await new Promise((resolve) => setTimeout(resolve, options.warmupMs ?? 300));
    measuring = true;
    const started = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, options.durationMs));
    measuring = false;
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    const counted = latencies.length;
    stop = true;
    await Promise.all(running);
    const sorted = latencies.slice(0, counted).sort((a, b) => a - b);
    return {
      requests: counted,
      errors,
      requestsPerSecond: (counted / elapsedMs) * 1000,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    };
  } finally {
    stop = true;
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  }
}
