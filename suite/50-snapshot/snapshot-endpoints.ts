import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import { afterAll, describe, expect } from 'vitest';
import type { ClauseContext } from '../harness/clause.js';
import { getTarget } from '../harness/current-target.js';
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
 * The endpoints the target's snapshot facet offers. A target without the facet gets one block
 * whose clauses `use('snapshot')` marks disabled.
 */
function resolveEndpoints(): readonly { readonly name: string; readonly endpoint: Endpoint | undefined }[] {
  return getTarget().snapshot?.endpoints ?? [{ name: 'no snapshot facet', endpoint: undefined }];
}

/**
 * On a real daemon, a container the run did not create (managed by testcontainers, with the
 * settings of dependencies.md) must survive the area: the backend cleans up only its own.
 */
async function startBystander(dockerHost: string, image: string): Promise<StartedTestContainer> {
  Object.assign(process.env, {
    DOCKER_HOST: dockerHost,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    TESTCONTAINERS_HOST_OVERRIDE: 'localhost',
  });
  return new GenericContainer(image)
    .withCommand(['sleep', 'infinity'])
    .withNetworkMode('none')
    .withLabels({ 'berth.test': 'snapshot-bystander' })
    .start();
}

/**
 * Runs `body` once per Docker endpoint the target's snapshot facet offers (the reference target:
 * a simulated dockerd; the docker target: its own daemon). After the file, the endpoint must hold no container or image carrying the
 * session's label, and on a real daemon a bystander container must still run.
 */
export function describeEndpoints(body: (endpoint: EndpointHandle) => void): void {
  for (const { name, endpoint } of resolveEndpoints()) {
    describe(name, () => {
      let opened: Promise<SnapshotSession> | undefined;
      let bystander: StartedTestContainer | undefined;
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
        const session = await opened.catch(() => undefined);
        if (session === undefined) return;
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
          opened ??= (async () => {
            const session = await facet.open(endpoint);
            if (endpoint.kind === 'real') {
              bystander = await startBystander(endpoint.dockerHost, session.baseImage).catch(
                async (error: unknown) => {
                  await session[Symbol.asyncDispose]();
                  throw error;
                },
              );
            }
            return session;
          })();
          return opened;
        },
      });
    });
  }
}
