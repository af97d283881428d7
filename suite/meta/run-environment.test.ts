import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodeRunEnvironment,
  readRunEnvironment,
  RUN_ENVIRONMENT_VARIABLES,
  type RunEnvironment,
} from '../../reports/model/run-environment.js';
import { projectTsFiles, ROOT } from './project-files.js';

/** The one module that reads and writes the run's BERTH_* variables. */
const RUN_ENVIRONMENT_MODULE = 'reports/model/run-environment.ts';

/**
 * Developers' and CI switches of this repository's own test run, not part of a berth run: they
 * may be read where they act.
 */
const DEVELOPER_SWITCHES = new Set([
  'BERTH_REQUIRE_DOCKER',
  'BERTH_REQUIRE_CHROMIUM',
  'BERTH_CHROMIUM',
  'BERTH_MAX_WORKERS',
  // scripts/real-dockerd.sh's socket, for the benchmarks; the CI workflow's output folder.
  'BERTH_DOCKER_SOCK',
  'BERTH_OUT',
]);

/** `env.BERTH_X`, `env?.BERTH_X`, `env['BERTH_X']`: a read (or write) of a BERTH_* variable. */
const ENV_ACCESS = /\benv(?:\?\.|\.)(BERTH_[A-Z0-9_]+)|\benv\[\s*['"`](BERTH_[A-Z0-9_]+)/g;

function accessesOf(text: string): string[] {
  return [...text.matchAll(ENV_ACCESS)].map((match) => match[1] ?? match[2]!);
}

describe('the run environment', () => {
  it('is read and written only by reports/model/run-environment.ts', () => {
    const offenders = projectTsFiles()
      .filter((file) => file !== RUN_ENVIRONMENT_MODULE && file !== 'suite/meta/run-environment.test.ts')
      .flatMap((file) =>
        accessesOf(readFileSync(join(ROOT, file), 'utf8'))
          .filter((name) => !DEVELOPER_SWITCHES.has(name))
          .map((name) => `${file}: ${name}`),
      );
    expect(offenders).toEqual([]);
  });

  it('finds every way of spelling an access (so the check above can fail)', () => {
    expect(
      accessesOf("process.env.BERTH_TARGET; env?.BERTH_SEED; process.env['BERTH_EXPECT']; x.BERTH_NOT"),
    ).toEqual(['BERTH_TARGET', 'BERTH_SEED', 'BERTH_EXPECT']);
  });

  it('encodes a run and reads it back unchanged', () => {
    const run: RunEnvironment = {
      target: 'docker',
      targetOptions: { dockerHost: 'unix:///var/run/docker.sock', readyTimeoutMs: 500 },
      profile: 'full',
      areas: ['20-proxy', '30-bridge'],
      clauses: ['HND-7'],
      expectFile: '/tmp/expect.json',
      resultsDir: '/tmp/out',
      seed: 42,
      targetProbe: { description: 'a daemon', facts: { apiVersion: '1.41' }, options: { dockerHost: 'x' } },
      realDaemonTier: 'off',
      realDaemonProbe: '{"available":false}',
      driverTimeoutMs: 900,
    };
    const env = encodeRunEnvironment(run);
    expect(
      Object.keys(env).every((name) => (RUN_ENVIRONMENT_VARIABLES as readonly string[]).includes(name)),
    ).toBe(true);
    expect(readRunEnvironment(env)).toEqual(run);
  });

  it('reads an empty environment as the default run: the reference, core profile, everything', () => {
    expect(readRunEnvironment({})).toEqual({
      target: 'reference',
      targetOptions: {},
      profile: 'core',
      areas: [],
      clauses: [],
      realDaemonTier: 'auto',
    });
  });

  it.each([
    [{ BERTH_PROFILE: 'huge' }, /BERTH_PROFILE must be one of quick, core, full, got 'huge'/],
    [{ BERTH_SEED: '-1' }, /BERTH_SEED must be an integer between 0 and 2147483647, got '-1'/],
    [{ BERTH_DOCKER_HOST: 'http://x' }, /BERTH_DOCKER_HOST must be unix:\/\/\/path/],
    [{ BERTH_COMMAND_READY_MS: '0' }, /BERTH_COMMAND_READY_MS must be a positive integer, got '0'/],
    [{ BERTH_REAL_DAEMON_TIER: 'maybe' }, /BERTH_REAL_DAEMON_TIER must be auto or off/],
    [{ BERTH_DRIVER_TIMEOUT_MS: 'soon' }, /BERTH_DRIVER_TIMEOUT_MS must be a positive integer/],
  ])('refuses %j with one clear error', (env, message) => {
    let caught: unknown;
    try {
      readRunEnvironment(env);
    } catch (error) {
      caught = error;
    }
    expect((caught as { code?: unknown }).code).toBe('ERR_INVALID_RUN_ENVIRONMENT');
    expect((caught as Error).message).toMatch(message);
  });

  it('treats a malformed probe record as no probe (the run probes again)', () => {
    expect(readRunEnvironment({ BERTH_TARGET_PROBE: '{' }).targetProbe).toBeUndefined();
  });
});
