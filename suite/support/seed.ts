/** Largest seed fast-check accepts (a signed 32-bit integer). */
const MAX_SEED = 0x7fffffff;

export class InvalidSeedError extends Error {
  readonly code = 'ERR_SUITE_INVALID_SEED';
  constructor(readonly value: string) {
    super(`BERTH_SEED must be an integer between 0 and ${MAX_SEED}, got '${value}'`);
  }
}

/** The run's seed: BERTH_SEED when given (validated), otherwise a fresh random one. */
export function resolveRunSeed(fromEnv: string | undefined): number {
  if (fromEnv === undefined || fromEnv.trim() === '') return Math.floor(Math.random() * MAX_SEED);
  const text = fromEnv.trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_SEED) throw new InvalidSeedError(fromEnv);
  return Number(text);
}

/** The seed of the current run, as chosen by the vitest config (or the caller's environment). */
export function runSeed(): number {
  return resolveRunSeed(process.env.BERTH_SEED);
}
