import type { TestProject } from 'vitest/node';
import { probeTarget } from '../targets/index.js';
import { probeRealDaemon, RealDaemonRequiredError, type RealDaemonProbe } from '../support/real-daemon.js';
import { currentTargetName } from './current-target.js';

declare module 'vitest' {
  export interface ProvidedContext {
    realDaemon: RealDaemonProbe;
  }
}

// Global setups run once per project in the main process; the probe and its one-line notice are
// shared through the environment so they happen once per run.
const CACHE = 'BERTH_REAL_DAEMON_PROBE';
/** The target's probe (JSON TargetProbe), read by the results reporter; `berth run` sets it itself. */
const TARGET_PROBE = 'BERTH_TARGET_PROBE';

export default async function setup(project: TestProject): Promise<void> {
  let probe: RealDaemonProbe;
  const cached = process.env[CACHE];
  if (cached) {
    probe = JSON.parse(cached) as RealDaemonProbe;
  } else if (process.env.BERTH_REAL_DAEMON_TIER === 'off') {
    // `berth run` checks its target only: a daemon that happens to be around is not part of it.
    probe = { available: false, reason: 'off for berth run (use --target docker to check a daemon)' };
    process.env[CACHE] = JSON.stringify(probe);
  } else {
    probe = await probeRealDaemon();
    process.env[CACHE] = JSON.stringify(probe);
    if (!probe.available) {
      if (process.env.BERTH_REQUIRE_DOCKER === '1') throw new RealDaemonRequiredError(probe.reason);
      console.log(`real-daemon tier skipped: ${probe.reason} (BERTH_REQUIRE_DOCKER=1 makes this an error)`);
    } else {
      console.log(`real-daemon tier: ${probe.dockerHost} (API ${probe.apiVersion})`);
    }
  }
  project.provide('realDaemon', probe);
  // The target must be reachable before any test starts: an unreachable daemon or a command that
  // does not start fails the run here, with one line, instead of in every test.
  if (!process.env[TARGET_PROBE]) {
    const found = await probeTarget(currentTargetName());
    process.env[TARGET_PROBE] = JSON.stringify(found);
  }
}
