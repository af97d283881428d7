import { describe, expect, it } from 'vitest';
import { requireRealDaemon } from '../suite/support/real-daemon-tier.js';
import { clauseOutcomes, expectReports, tail, useBerthRuns } from './berth-run.test-helper.js';

// `berth run --target docker` end to end against the real daemon of the real-daemon tier (CI
// starts one and requires it). This is where the snapshot backend meets a real dockerd.

const berthRun = useBerthRuns();

describe('berth run --target docker', () => {
  it('npx berth run --target docker: the Docker wire clauses and the snapshot backend pass on the real daemon', async (context) => {
    const dockerHost = requireRealDaemon(context);
    const finished = await berthRun('docker', ['--target', 'docker'], {
      DOCKER_HOST: dockerHost,
    });
    const { run, lines, results, out } = finished;
    expect(run.errors).toBe('');
    expect(finished.code, tail(finished)).toBe(0);
    expect(lines.at(-1)).toMatch(/^[1-9]\d* passed, 0 failed, \d+ skipped$/);
    expect(results.target.options).toEqual({ dockerHost });
    expect(results.target.probe).toHaveProperty('ApiVersion');
    expect(clauseOutcomes(results, 'REG')).toEqual(['disabled']);
    expect(
      results.clauses.filter((c) => c.id.startsWith('DKR') && c.outcome === 'pass').length,
    ).toBeGreaterThan(10);
    expect(
      results.clauses.filter((c) => c.id.startsWith('SNP') && c.outcome === 'pass').length,
    ).toBeGreaterThan(10);
    expectReports(out, ['engine', 'snapshot']);
  }, 600_000);
});
