import type { TestProject } from 'vitest/node';
import { probeTarget } from '../targets/index.js';
import { probeRealDaemon, RealDaemonRequiredError, type RealDaemonProbe } from '../support/real-daemon.js';
import { readRunEnvironment, recordInRunEnvironment } from '../../reports/model/run-environment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    realDaemon: RealDaemonProbe;
  }
}

// Global setups run once per project in the main process; the probes and the one-line notice are
// shared through the run environment (BERTH_REAL_DAEMON_PROBE, BERTH_TARGET_PROBE) so they happen
// once per run; `berth run` records its target's probe itself.
export default async function setup(project: TestProject): Promise<void> {
  const run = readRunEnvironment();
  let probe: RealDaemonProbe;
  if (run.realDaemonProbe !== undefined) {
    probe = JSON.parse(run.realDaemonProbe) as RealDaemonProbe;
  } else if (run.realDaemonTier === 'off') {
    // `berth run` checks its target only: a daemon that happens to be around is not part of it.
    probe = { available: false, reason: 'off for berth run (use --target docker to check a daemon)' };
    recordInRunEnvironment({ realDaemonProbe: JSON.stringify(probe) });
  } else {
    probe = await probeRealDaemon();
    recordInRunEnvironment({ realDaemonProbe: JSON.stringify(probe) });
    if (!probe.available) {
      // BERTH_REQUIRE_DOCKER is a developers' switch for this repository's own tests.
      if (process.env.BERTH_REQUIRE_DOCKER === '1') throw new RealDaemonRequiredError(probe.reason);
      console.log(`real-daemon tier skipped: ${probe.reason} (BERTH_REQUIRE_DOCKER=1 makes this an error)`);
    } else {
      console.log(`real-daemon tier: ${probe.dockerHost} (API ${probe.apiVersion})`);
    }
  }
  project.provide('realDaemon', probe);
  // The target must be reachable before any test starts: an unreachable daemon or a command that
  // does not start fails the run here, with one line, instead of in every test.
  if (run.targetProbe === undefined) {
    const found = await probeTarget(run.target, run.targetOptions);
    recordInRunEnvironment({ targetProbe: found });
  }
}
