import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, inject } from 'vitest';
import type { ClauseContext } from '../support/clause.js';
import type { Target } from '../targets/target.js';

type SnapshotFacet = NonNullable<Target['snapshot']>;
export type SnapshotSession = Awaited<ReturnType<SnapshotFacet['open']>>;
type Endpoint = Parameters<SnapshotFacet['open']>[0];

/** What a clause body gets for one endpoint. */
export interface EndpointHandle {
  readonly name: string;
  /** The session of this file on this endpoint (opened on first use, checked for leaks after the file). */
  session(use: ClauseContext['use']): Promise<SnapshotSession>;
}

/**
 * Runs `body` once per Docker endpoint: a simulated dockerd the target starts, and the real daemon
 * when the real-daemon tier found one (skipped with its reason otherwise). After the file, the
 * endpoint must hold no container or image carrying the session's label.
 */
export function describeEndpoints(body: (endpoint: EndpointHandle) => void): void {
  const probe = inject('realDaemon');
  const endpoints: { name: string; endpoint: Endpoint | undefined; skip?: string }[] = [
    { name: 'simulated dockerd', endpoint: { kind: 'simulated' } },
    probe.available
      ? { name: 'real dockerd', endpoint: { kind: 'real', dockerHost: probe.dockerHost } }
      : { name: 'real dockerd', endpoint: undefined, skip: `real-daemon tier: ${probe.reason}` },
  ];
  for (const { name, endpoint, skip } of endpoints) {
    const title = skip === undefined ? name : `${name} (skipped: ${skip})`;
    describe.skipIf(endpoint === undefined)(title, () => {
      let opened: Promise<SnapshotSession> | undefined;
      // On a real daemon, a container the run did not create (managed by testcontainers, with the
      // settings of dependencies.md) must survive the area: the backend cleans up only its own.
      let bystander: StartedTestContainer | undefined;
      beforeAll(async () => {
        if (endpoint?.kind !== 'real') return;
        Object.assign(process.env, {
          DOCKER_HOST: endpoint.dockerHost,
          TESTCONTAINERS_RYUK_DISABLED: 'true',
          TESTCONTAINERS_HOST_OVERRIDE: 'localhost',
        });
        bystander = await new GenericContainer('local/busybox:1')
          .withCommand(['sleep', 'infinity'])
          .withNetworkMode('none')
          .withLabels({ 'berth.test': 'snapshot-bystander' })
          .start();
      }, 60_000);
      afterAll(async () => {
        if (bystander !== undefined) {
          const running = await bystander.exec(['true']).then(
            (result) => result.exitCode === 0,
            () => false,
          );
          await bystander.stop();
          expect(running, 'a container the run did not create is still running after the area').toBe(true);
        }
      });
      afterAll(async () => {
        if (opened === undefined) return;
        const session = await opened;
        try {
          // The area's leak check: everything a clause created and did not mean to keep is gone.
          expect(await session.leftovers(), `leftovers on ${session.description}`).toEqual({
            containers: [],
            images: [],
          });
        } finally {
          await session[Symbol.asyncDispose]();
        }
      });
      body({
        name,
        session(use) {
          const facet = use('snapshot');
          if (endpoint === undefined) throw new Error(`${name} is not available`);
          opened ??= facet.open(endpoint);
          return opened;
        },
      });
    });
  }
}
