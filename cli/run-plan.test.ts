import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunCliOptions } from './run-options.js';
import { encodeRunEnvironment, readRunEnvironment } from '../reports/model/run-environment.js';
import { planRun, runEnvironmentOf } from './run.js';
import { startBerth } from './berth-process.test-helper.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-plan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(overrides: Partial<RunCliOptions> = {}): RunCliOptions {
  return {
    target: 'reference',
    profile: 'core',
    out: join(dir, 'out'),
    progress: true,
    ...overrides,
  };
}

function usageError(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a usage error');
}

describe('planRun', () => {
  it('selects areas by folder, number, component or prefix', () => {
    const plan = planRun(options({ area: ['20-proxy', '30', 'registry', 'snp'] }));
    expect(plan.folders).toEqual([
      'suite/20-proxy/',
      'suite/30-bridge/',
      'suite/10-registry/',
      'suite/50-snapshot/',
    ]);
    expect(plan.areas).toEqual(['20-proxy', '30-bridge', '10-registry', '50-snapshot']);
  });

  it('narrows the files to the areas of the selected clauses', () => {
    const plan = planRun(options({ clause: ['hnd-7', 'UPG-1', 'HND-7'] }));
    expect(plan.clauses).toEqual(['HND-7', 'UPG-1']);
    expect(plan.folders).toEqual(['suite/20-proxy/', 'suite/30-bridge/']);
  });

  it('passes the plan to the workers through the environment', () => {
    const plan = planRun(options({ clause: ['REG-1'], seed: 7, profile: 'quick' }));
    const env = encodeRunEnvironment(runEnvironmentOf(plan));
    expect(env).toMatchObject({
      BERTH_TARGET: 'reference',
      BERTH_CLAUSES: 'REG-1',
      BERTH_SEED: '7',
      BERTH_PROFILE: 'quick',
      BERTH_RESULTS: join(dir, 'out'),
      BERTH_REAL_DAEMON_TIER: 'off',
    });
    expect(readRunEnvironment(env)).toEqual(runEnvironmentOf(plan));
  });

  it.each<[string, Partial<RunCliOptions>, RegExp]>([
    ['an unknown area', { area: ['70-nothing'] }, /unknown area '70-nothing'/],
    ['a malformed clause id', { clause: ['hnd7'] }, /'hnd7' is not a clause id/],
    ['a clause missing from the catalogue', { clause: ['HND-999'] }, /HND-999 is not in the catalogue/],
    ['a pending clause', { clause: ['CMP-17'] }, /CMP-17 has no test yet/],
    [
      'a clause outside the selected areas',
      { clause: ['HND-7'], area: ['10-registry'] },
      /HND-7 is in area 20-proxy/,
    ],
    ['--command without a command target', { command: 'x' }, /--command is only used with/],
    [
      '--docker-host without the docker target',
      { dockerHost: 'unix:///x.sock' },
      /--docker-host is only used/,
    ],
    ['a command target without --command', { target: 'driver-command' }, /needs --command/],
    [
      '--ready-timeout-ms without a command target',
      { readyTimeoutMs: 500 },
      /--ready-timeout-ms is only used with --target proxy-command or driver-command/,
    ],
    ['an unknown target', { target: 'nope' }, /unknown target 'nope'/],
    [
      'a malformed docker host',
      { target: 'docker', dockerHost: 'http://localhost:2375' },
      /must be unix:\/\/\//,
    ],
  ])('rejects %s with one line', (_name, overrides, message) => {
    const error = usageError(() => planRun(options(overrides), {}));
    expect(error.code).toBe('ERR_CLI_USAGE');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  it('needs a docker host for the docker target, from the flag or DOCKER_HOST', () => {
    expect(usageError(() => planRun(options({ target: 'docker' }), {})).message).toMatch(
      /needs --docker-host/,
    );
    const plan = planRun(options({ target: 'docker' }), { DOCKER_HOST: 'tcp://127.0.0.1:2375' });
    expect(plan.targetOptions.dockerHost).toBe('tcp://127.0.0.1:2375');
  });

  it('reads and checks the --expect file before anything runs', async () => {
    const missing = usageError(() => planRun(options({ expect: join(dir, 'nope.json') })));
    expect(missing.message).toMatch(/--expect: cannot read/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '[{"clause": "HND-7"}]');
    expect(usageError(() => planRun(options({ expect: bad }))).message).toMatch(
      /reason must be a non-empty string/,
    );
    const good = join(dir, 'good.json');
    await writeFile(good, '[{"clause": "HND-7", "reason": "ours routes by name only"}]');
    expect(planRun(options({ expect: good })).expectFile).toBe(good);
  });
});

describe('berth run flags, as a user types them', () => {
  it.each([
    [['run', '--target', 'kubernetes'], /argument 'kubernetes' is invalid/],
    [['run', '--profile', 'huge'], /argument 'huge' is invalid/],
    [['run', '--seed', '-1'], /expected an integer between 0 and 2147483647/],
    [['run', '--clause', 'HND-999'], /HND-999 is not in the catalogue/],
    [['run', '--target', 'proxy-command'], /needs --command/],
    [['run', '--target', 'nope'], /argument 'nope' is invalid/],
    [['run', '--ready-timeout-ms', '500'], /--ready-timeout-ms is only used with --target/],
  ])(
    'rejects %j with one line and exit code 2, before running anything',
    async (args, message) => {
      const child = startBerth(args);
      expect(await child.exited).toBe(2);
      expect(child.errors.trim().split('\n')).toHaveLength(1);
      expect(child.errors).toMatch(message);
      expect(child.output).toBe('');
    },
    // A child node with tsx: seconds on a loaded 2-core machine.
    60_000,
  );
});
