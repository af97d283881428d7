import { inject, type TestContext } from 'vitest';

/**
 * For tests of the real-daemon tier: returns the DOCKER_HOST of the real daemon found at start-up,
 * or skips the test with the reason (BERTH_REQUIRE_DOCKER=1 turns a missing daemon into a failed
 * run before any test starts, in the global setup).
 */
export function requireRealDaemon(context: Pick<TestContext, 'skip'>): string {
  const probe = inject('realDaemon');
  if (!probe.available) return context.skip(`real-daemon tier: ${probe.reason}`);
  return probe.dockerHost;
}
