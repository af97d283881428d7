import { MAX_SEED, parseSeed, readRunEnvironment } from '../../reports/model/run-environment.js';

/** A fresh random seed, for a run that names none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * MAX_SEED);
}

/**
 * The run's seed: BERTH_SEED when given (validated: ERR_INVALID_RUN_ENVIRONMENT names a bad
 * value), otherwise a fresh random one.
 */
export function resolveRunSeed(fromEnv: string | undefined): number {
  if (fromEnv === undefined || fromEnv.trim() === '') return randomSeed();
  return parseSeed(fromEnv);
}

/** The seed of the current run, as chosen by the vitest config (or the caller's environment). */
export function runSeed(): number {
  return readRunEnvironment().seed ?? randomSeed();
}
