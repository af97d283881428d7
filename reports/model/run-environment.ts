import { BerthError } from '../../protocol/errors.js';
import { TARGET_OPTION_KINDS, TARGET_OPTION_NAMES, type TargetOptions } from './target-options.js';

/**
 * The run as `berth run` (or a developer's `npm test`) hands it to the test workers and the
 * reporters: `BERTH_*` environment variables, which vitest's forked workers inherit. This module is
 * the only reader and writer of those variables (suite/meta/run-environment.test.ts checks it),
 * except the developers' switches BERTH_REQUIRE_DOCKER, BERTH_REQUIRE_CHROMIUM, BERTH_CHROMIUM and
 * BERTH_MAX_WORKERS, which tune the repository's own test run rather than describe a run.
 */

/** A `BERTH_*` variable holds a value this version cannot use. */
export class InvalidRunEnvironmentError extends BerthError {
  readonly code = 'ERR_INVALID_RUN_ENVIRONMENT';
}

/**
 * Run profiles: how hard the suite tries (suite/support/profile.ts scales the property tests).
 */
export const PROFILES = ['quick', 'core', 'full'] as const;
export type Profile = (typeof PROFILES)[number];

export function isProfile(value: string): value is Profile {
  return (PROFILES as readonly string[]).includes(value);
}

/** Largest seed fast-check accepts (a signed 32-bit integer). */
export const MAX_SEED = 0x7fffffff;

/** What the target's probe found, recorded once before the workers start (BERTH_TARGET_PROBE). */
export interface ProbeRecord {
  /** One line: what is under test and how it is reached. */
  readonly description?: string;
  /** Facts the probe gathered: JSON values only. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** The target's options as results.json shows them (redacted as its definition says). */
  readonly options?: Readonly<Record<string, string>>;
}

export interface RunEnvironment {
  /** BERTH_TARGET: the target's name (checked against the registry by whoever creates it). */
  readonly target: string;
  /**
   * BERTH_DOCKER_HOST, BERTH_COMMAND, BERTH_COMMAND_READY_MS: every target option that is set,
   * validated; which ones a target takes and their defaults are its definition's business.
   */
  readonly targetOptions: TargetOptions;
  /** BERTH_PROFILE, `core` when unset. */
  readonly profile: Profile;
  /** BERTH_AREAS, BERTH_CLAUSES: the run's selection (comma-separated), empty for all. */
  readonly areas: readonly string[];
  readonly clauses: readonly string[];
  /** BERTH_EXPECT: the user's expectations file. */
  readonly expectFile?: string;
  /** BERTH_RESULTS: where results.json goes; without it no results.json is written. */
  readonly resultsDir?: string;
  /** BERTH_SEED: the run's fast-check seed (the vitest config picks one when unset). */
  readonly seed?: number;
  /** BERTH_TARGET_PROBE: the target's probe, once it ran (malformed JSON counts as none). */
  readonly targetProbe?: ProbeRecord;
  /** BERTH_REAL_DAEMON_TIER=off: `berth run` checks its target only, never a daemon around it. */
  readonly realDaemonTier: 'auto' | 'off';
  /** BERTH_REAL_DAEMON_PROBE: the real-daemon probe shared by the projects of one run (JSON). */
  readonly realDaemonProbe?: string;
  /** BERTH_DRIVER_TIMEOUT_MS: the deadline of each driver call (driver-command target). */
  readonly driverTimeoutMs?: number;
}

/** Every variable this module reads or writes: encoding a run clears those it leaves unset. */
export const RUN_ENVIRONMENT_VARIABLES = [
  'BERTH_TARGET',
  ...TARGET_OPTION_NAMES.map((name) => TARGET_OPTION_KINDS[name].env),
  'BERTH_PROFILE',
  'BERTH_AREAS',
  'BERTH_CLAUSES',
  'BERTH_EXPECT',
  'BERTH_RESULTS',
  'BERTH_SEED',
  'BERTH_TARGET_PROBE',
  'BERTH_REAL_DAEMON_TIER',
  'BERTH_REAL_DAEMON_PROBE',
  'BERTH_DRIVER_TIMEOUT_MS',
] as const;

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** BERTH_SEED's rule, shared with the vitest config's choice of a seed. */
export function parseSeed(value: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > MAX_SEED) {
    throw new InvalidRunEnvironmentError(
      `BERTH_SEED must be an integer between 0 and ${MAX_SEED}, got '${value}'`,
    );
  }
  return Number(trimmed);
}

function parseProbe(value: string | undefined): ProbeRecord | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function targetOptionsOf(env: NodeJS.ProcessEnv): TargetOptions {
  const options: Record<string, unknown> = {};
  for (const name of TARGET_OPTION_NAMES) {
    const kind = TARGET_OPTION_KINDS[name];
    const value = text(env, kind.env);
    if (value === undefined) continue;
    try {
      options[name] = kind.parse(value, kind.env);
    } catch (error) {
      throw new InvalidRunEnvironmentError((error as Error).message, { cause: error });
    }
  }
  return options;
}

/** Decodes and validates the run's `BERTH_*` variables; a bad value is one clear error. */
export function readRunEnvironment(env: NodeJS.ProcessEnv = process.env): RunEnvironment {
  const profile = text(env, 'BERTH_PROFILE') ?? 'core';
  if (!isProfile(profile)) {
    throw new InvalidRunEnvironmentError(
      `BERTH_PROFILE must be one of ${PROFILES.join(', ')}, got '${profile}'`,
    );
  }
  const tier = text(env, 'BERTH_REAL_DAEMON_TIER') ?? 'auto';
  if (tier !== 'auto' && tier !== 'off') {
    throw new InvalidRunEnvironmentError(`BERTH_REAL_DAEMON_TIER must be auto or off, got '${tier}'`);
  }
  const driverTimeout = text(env, 'BERTH_DRIVER_TIMEOUT_MS');
  const seed = text(env, 'BERTH_SEED');
  const expectFile = text(env, 'BERTH_EXPECT');
  const resultsDir = text(env, 'BERTH_RESULTS');
  const targetProbe = parseProbe(text(env, 'BERTH_TARGET_PROBE'));
  const realDaemonProbe = text(env, 'BERTH_REAL_DAEMON_PROBE');
  let driverTimeoutMs: number | undefined;
  if (driverTimeout !== undefined) {
    try {
      driverTimeoutMs = TARGET_OPTION_KINDS.readyTimeoutMs.parse(driverTimeout, 'BERTH_DRIVER_TIMEOUT_MS');
    } catch (error) {
      throw new InvalidRunEnvironmentError((error as Error).message, { cause: error });
    }
  }
  return {
    target: text(env, 'BERTH_TARGET') ?? 'reference',
    targetOptions: targetOptionsOf(env),
    profile,
    areas: list(env.BERTH_AREAS),
    clauses: list(env.BERTH_CLAUSES),
    ...(expectFile === undefined ? {} : { expectFile }),
    ...(resultsDir === undefined ? {} : { resultsDir }),
    ...(seed === undefined ? {} : { seed: parseSeed(seed) }),
    ...(targetProbe === undefined ? {} : { targetProbe }),
    realDaemonTier: tier,
    ...(realDaemonProbe === undefined ? {} : { realDaemonProbe }),
    ...(driverTimeoutMs === undefined ? {} : { driverTimeoutMs }),
  };
}

/** The variables that carry `run` (unset fields are left out: see applyRunEnvironment). */
export function encodeRunEnvironment(run: RunEnvironment): Record<string, string> {
  const env: Record<string, string> = { BERTH_TARGET: run.target, BERTH_PROFILE: run.profile };
  for (const name of TARGET_OPTION_NAMES) {
    const value = run.targetOptions[name];
    if (value !== undefined) env[TARGET_OPTION_KINDS[name].env] = String(value);
  }
  if (run.areas.length > 0) env.BERTH_AREAS = run.areas.join(',');
  if (run.clauses.length > 0) env.BERTH_CLAUSES = run.clauses.join(',');
  if (run.expectFile !== undefined) env.BERTH_EXPECT = run.expectFile;
  if (run.resultsDir !== undefined) env.BERTH_RESULTS = run.resultsDir;
  if (run.seed !== undefined) env.BERTH_SEED = String(run.seed);
  if (run.targetProbe !== undefined) env.BERTH_TARGET_PROBE = JSON.stringify(run.targetProbe);
  if (run.realDaemonTier === 'off') env.BERTH_REAL_DAEMON_TIER = 'off';
  if (run.realDaemonProbe !== undefined) env.BERTH_REAL_DAEMON_PROBE = run.realDaemonProbe;
  if (run.driverTimeoutMs !== undefined) env.BERTH_DRIVER_TIMEOUT_MS = String(run.driverTimeoutMs);
  return env;
}

/**
 * Replaces the run variables of `env` (process.env by default) with those of `run`, so nothing of
 * an enclosing run stands in for this one; BERTH_DRIVER_TIMEOUT_MS, which no flag sets, stays
 * when `run` leaves it unset.
 */
export function applyRunEnvironment(run: RunEnvironment, env: NodeJS.ProcessEnv = process.env): void {
  for (const name of RUN_ENVIRONMENT_VARIABLES) {
    if (name !== 'BERTH_DRIVER_TIMEOUT_MS' || run.driverTimeoutMs !== undefined) delete env[name];
  }
  Object.assign(env, encodeRunEnvironment(run));
}

/** Records one field of the run in `env` (process.env by default), for the setup that learns it. */
export function recordInRunEnvironment(
  patch: Partial<Pick<RunEnvironment, 'seed' | 'targetProbe' | 'realDaemonProbe'>>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const encoded = encodeRunEnvironment({ ...readRunEnvironment(env), ...patch });
  for (const key of ['BERTH_SEED', 'BERTH_TARGET_PROBE', 'BERTH_REAL_DAEMON_PROBE'] as const) {
    if (encoded[key] !== undefined) env[key] = encoded[key];
  }
}
