import { request } from 'node:http';
import { describe, expect, it, type TestContext } from 'vitest';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { requireRealDaemon } from '../../suite/support/real-daemon-tier.js';
import { createSimulatedDockerd } from '../dockerd/index.js';
import { tempSocketPath } from '../vsock/index.js';
import { checkLedger } from './check-ledger.js';
import { fidelityScenarios } from './fidelity-scenarios.js';
import { formatFidelityReport } from './format-fidelity-report.js';
import { knownDifferences } from './known-differences.js';
import { runFidelity } from './run-fidelity.js';

useLeakCheck();

const TIMEOUT = { timeout: 90_000 };
/** Per-phase deadline: the real daemon answers within a second; a hung step must not eat the budget. */
const STEP_TIMEOUT_MS = 5_000;

/** The real daemon's socket path; the raw client speaks to unix sockets only. */
function realSocket(context: TestContext): string {
  const dockerHost = requireRealDaemon(context);
  if (!dockerHost.startsWith('unix://'))
    context.skip(`fidelity needs a unix:// DOCKER_HOST, not ${dockerHost}`);
  return dockerHost.slice('unix://'.length);
}

/** The API range a daemon serves, from its /version (ApiVersion, MinAPIVersion). */
function apiRangeOf(socketPath: string): Promise<{ min: string; max: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/version' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const version = JSON.parse(Buffer.concat(chunks).toString()) as {
          ApiVersion: string;
          MinAPIVersion: string;
        };
        resolve({ min: version.MinAPIVersion, max: version.ApiVersion });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('fidelity of the simulated dockerd (real-daemon tier)', () => {
  it('the harness sees no difference between the real dockerd and itself', TIMEOUT, async (context) => {
    const real = realSocket(context);
    const report = await runFidelity({
      a: real,
      b: real,
      scenarios: fidelityScenarios,
      timeoutMs: STEP_TIMEOUT_MS,
    });
    console.log(
      formatFidelityReport(report, { names: { a: 'real', b: 'real' } }).replace(
        /^fidelity:/,
        'fidelity self-check (real vs real):',
      ),
    );
    // Every step does what the scenario says on the reference daemon...
    expect(report.scenarioFailures).toEqual([]);
    // ...normalisation leaves no run-to-run noise...
    expect(report.steps.filter((step) => !step.match).map((step) => [step.step, step.mismatches])).toEqual(
      [],
    );
    // ...and nothing labelled berth.test=fidelity is left behind.
    expect(report.cleanupErrors).toEqual({ a: [], b: [] });
  });

  it(
    'the simulated dockerd answers like the real one, but for the ledgered differences',
    TIMEOUT,
    async (context) => {
      const real = realSocket(context);
      // The simulator serves the same API range as the daemon it is compared with (20.10 still
      // accepts /v1.12; berth's own default minimum is 1.24).
      const sim = createSimulatedDockerd({ name: 'fidelity', apiVersion: await apiRangeOf(real) });
      const path = await tempSocketPath('sim-dockerd');
      await sim.listen(`unix://${path}`);
      try {
        const report = await runFidelity({
          a: real,
          b: path,
          scenarios: fidelityScenarios,
          timeoutMs: STEP_TIMEOUT_MS,
        });
        const ledger = checkLedger(report, knownDifferences);
        console.log(formatFidelityReport(report, { ledger }));
        expect(report.scenarioFailures).toEqual([]);
        expect(report.cleanupErrors.a).toEqual([]);
        // Every mismatch is a known difference, and every known difference still happens.
        expect(ledger.unexpected).toEqual([]);
        expect(ledger.stale).toEqual([]);
      } finally {
        await sim.close();
      }
    },
  );

  it(
    'a difference injected into the simulator is reported and not excused by the ledger',
    TIMEOUT,
    async (context) => {
      const real = realSocket(context);
      const sim = createSimulatedDockerd({ name: 'fidelity-fault', apiVersion: await apiRangeOf(real) });
      sim.faults.set({
        method: 'GET',
        path: '/_ping',
        fault: { kind: 'error-status', status: 503, message: 'injected' },
      });
      const path = await tempSocketPath('sim-dockerd');
      await sim.listen(`unix://${path}`);
      try {
        const system = fidelityScenarios.filter((scenario) => scenario.name === 'system');
        const report = await runFidelity({ a: real, b: path, scenarios: system, timeoutMs: STEP_TIMEOUT_MS });
        const { unexpected } = checkLedger(report, knownDifferences);
        expect(unexpected).toContainEqual({
          step: 'system / GET /_ping',
          path: 'status',
          a: '200',
          b: '503',
        });
        expect(unexpected).toContainEqual({
          step: 'system / GET /_ping',
          path: 'body.message',
          a: '<absent>',
          b: '"injected"',
        });
        expect(formatFidelityReport(report)).toContain(
          'system / GET /_ping  status: real 200 vs simulated 503',
        );
      } finally {
        await sim.close();
      }
    },
  );
});
