import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildFigure, formatFigure, isBenchReport, skippedFigure } from './bench-figure.js';
import { runBridgeThroughput } from './bridge-throughput.js';
import { runRegistryPrefix } from './registry-prefix.js';
import { countFds } from './serve-child.js';
import { evaluateSoak, settleCount, type SoakStats } from './soak-checks.js';

const HEALTHY: SoakStats = {
  requests: 1000,
  faulted: 50,
  seconds: 3,
  crashes: 0,
  hangs: 0,
  fdsStart: 20,
  fdsEnd: 20,
  rssWarmKiB: 60 * 1024,
  rssEndKiB: 64 * 1024,
  rssBound: 1.5,
};

describe('bench figures', () => {
  it('computes the ratio against the baseline and formats one line', () => {
    const figure = buildFigure('proxy', 'GET /_ping c=16', 800, 'req/s', {
      baseline: { name: 'direct', value: 1000 },
      target: { text: '>= 0.8x', met: true },
    });
    expect(figure.ratio).toBeCloseTo(0.8);
    expect(formatFigure(figure)).toContain('0.80x');
    expect(formatFigure(skippedFigure('bridge', 'socat', 'not installed'))).toContain('skipped');
  });

  it('writes figures of a tiny registry run in the bench.json shape', () => {
    const figures = runRegistryPrefix({ workloads: [200], budgetMs: 5 });
    const report = JSON.parse(
      JSON.stringify({
        version: 1,
        startedAt: new Date().toISOString(),
        durationSeconds: 0.1,
        host: { node: process.version, cpus: 1, platform: 'linux/x64' },
        selected: ['registry'],
        figures: [...figures, skippedFigure('suite', 'profile full', 'BENCH_SKIP_FULL=1')],
      }),
    ) as unknown;
    expect(isBenchReport(report)).toBe(true);
    expect(figures.map((figure) => figure.name)).toContain('8-char prefix lookup at 200 workloads');
    expect(isBenchReport({ version: 1, figures: [{ bench: 'x' }] })).toBe(false);
  });

  it('moves bytes through a berth serve child in a tiny bridge run', { timeout: 20_000 }, async () => {
    const figures = await runBridgeThroughput({ bytes: 1024 * 1024, socat: false, realDockerd: false });
    const proxied = figures.find((figure) => figure.name.includes('via berth serve'));
    expect(proxied?.value).toBeGreaterThan(0);
    expect(proxied?.baseline?.name).toBe('direct');
  });
});

describe('soak checks', () => {
  it('passes a healthy run', () => {
    const verdict = evaluateSoak(HEALTHY);
    expect(verdict.ok).toBe(true);
    expect(verdict.line).toMatch(
      /^soak: 1000 requests \(50 faulted\) .* 0 leaked fds, RSS 60→64 MiB .*: ok$/,
    );
  });

  it.each([
    ['a leak', { fdsEnd: 23 }, /3 leaked fd/],
    ['a crash', { crashes: 1 }, /crash/],
    ['a hang', { hangs: 2 }, /2 hang/],
    ['RSS growth', { rssEndKiB: 91 * 1024 }, /RSS grew/],
  ] as const)('fails on %s', (_name, change, failure) => {
    const verdict = evaluateSoak({ ...HEALTHY, ...change });
    expect(verdict.ok).toBe(false);
    expect(verdict.failures.join('; ')).toMatch(failure);
  });

  it('detects sockets a process leaks and sees them go once closed', async () => {
    const before = countFds(process.pid);
    const servers = Array.from({ length: 3 }, () => createServer().listen(0, '127.0.0.1'));
    await Promise.all(servers.map((server) => new Promise((resolve) => server.once('listening', resolve))));
    const leaking = await settleCount(() => countFds(process.pid), before, 300);
    expect(evaluateSoak({ ...HEALTHY, fdsStart: before, fdsEnd: leaking }).ok).toBe(false);
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    const after = await settleCount(() => countFds(process.pid), before, 2000);
    expect(after).toBeLessThanOrEqual(before);
  });
});

describe('bench environment', () => {
  it('takes defaults, accepts values in range and refuses the rest with one line naming the variable', async () => {
    const { envNumber, checkBenchEnv, BenchUsageError } = await import('./bench-env.js');
    expect(envNumber('SOAK_REQUESTS', {})).toBe(100_000);
    expect(envNumber('SOAK_REQUESTS', { SOAK_REQUESTS: ' ' })).toBe(100_000);
    expect(envNumber('SOAK_FAULT_RATE', { SOAK_FAULT_RATE: '0.2' })).toBe(0.2);
    expect(Number.isNaN(envNumber('SOAK_SEED', {}))).toBe(true);
    expect(() => envNumber('SOAK_REQUESTS', { SOAK_REQUESTS: 'abc' })).toThrow(
      'SOAK_REQUESTS="abc" is not a whole number of at least 1 (default 100000)',
    );
    expect(() => envNumber('SOAK_FAULT_RATE', { SOAK_FAULT_RATE: '1.5' })).toThrow(
      'SOAK_FAULT_RATE="1.5" is not a number from 0 to 1 (default 0.05)',
    );
    expect(() => checkBenchEnv(['BENCH_PROXY_ROUNDS'], { BENCH_PROXY_ROUNDS: '2.5' })).toThrow(
      BenchUsageError,
    );
  });
});
