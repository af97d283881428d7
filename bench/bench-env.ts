/** A bad `--only` or environment value: one line for the user, exit code 2, nothing measured. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

interface NumberRule {
  readonly fallback: number;
  readonly min: number;
  readonly max?: number;
  /** Whole numbers only (default true). */
  readonly integer?: boolean;
}

/** Every number the benchmarks and the soak read from the environment, with its default and range. */
export const BENCH_ENV: Readonly<Record<string, NumberRule>> = {
  BENCH_DURATION_MS: { fallback: 1500, min: 100 },
  BENCH_PROXY_ROUNDS: { fallback: 3, min: 1 },
  BENCH_BRIDGE_MIB: { fallback: 1024, min: 1 },
  BENCH_BRIDGE_REAL_MIB: { fallback: 256, min: 1 },
  BENCH_BRIDGE_REAL_ROUNDS: { fallback: 5, min: 1 },
  BENCH_MEMORY_REQUESTS: { fallback: 10_000, min: 1 },
  BENCH_MEMORY_STREAMS: { fallback: 200, min: 1 },
  SOAK_REQUESTS: { fallback: 100_000, min: 1 },
  SOAK_CONCURRENCY: { fallback: 16, min: 1, max: 1024 },
  SOAK_FAULT_RATE: { fallback: 0.05, min: 0, max: 1, integer: false },
  SOAK_MAX_SECONDS: { fallback: 600, min: 1 },
  SOAK_SEED: { fallback: Number.NaN, min: 0, max: 2 ** 32 - 1 },
};

/**
 * The value of a known environment variable, or its default when unset or empty; a value that is
 * not a number in its range is a BenchUsageError naming the variable, what it got and what it takes.
 */
export function envNumber(name: keyof typeof BENCH_ENV, env: NodeJS.ProcessEnv = process.env): number {
  const rule = BENCH_ENV[name]!;
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return rule.fallback;
  const value = Number(raw);
  const integer = rule.integer ?? true;
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < rule.min || value > max) {
    const kind = integer ? 'a whole number' : 'a number';
    const range = rule.max === undefined ? `of at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
    const fallback = Number.isNaN(rule.fallback) ? 'random' : String(rule.fallback);
    throw new BenchUsageError(`${name}=${JSON.stringify(raw)} is not ${kind} ${range} (default ${fallback})`);
  }
  return value;
}

/** Checks every variable named, so a bad value stops the run before anything is measured. */
export function checkBenchEnv(names: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  for (const name of names) envNumber(name, env);
}
