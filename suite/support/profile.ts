import { readRunEnvironment, type Profile } from '../../reports/model/run-environment.js';

/**
 * Run profiles: how hard the suite tries. Every clause runs in every profile; the profile scales
 * the number of generated cases of the property and model-based tests.
 * - quick: a tenth of the runs (at least 1): a fast smoke check for local iteration;
 * - core: the default, what CI runs;
 * - full: five times the runs, for nightly jobs and before a release.
 */
export { isProfile, PROFILES, type Profile } from '../../reports/model/run-environment.js';

const SCALE: Readonly<Record<Profile, number>> = { quick: 0.1, core: 1, full: 5 };

/** The run's profile: BERTH_PROFILE, else `core`. */
export function currentProfile(env: NodeJS.ProcessEnv = process.env): Profile {
  return readRunEnvironment(env).profile;
}

/** `numRuns` for a property test whose core profile runs `core` cases. */
export function profileRuns(core: number, profile: Profile = currentProfile()): number {
  return Math.max(1, Math.round(core * SCALE[profile]));
}
