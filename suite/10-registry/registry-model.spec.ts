import { profileRuns } from '../support/profile.js';
import fc from 'fast-check';
import { clause } from '../harness/clause.js';
import { exactKeys, registryUniverseArb } from '../support/arbitraries/registry.js';
import { registryCommandsArb } from './registry-commands.js';
import { RegistryModel } from './registry-model.js';

clause(
  'REG-17',
  'agrees with the plain model on every lookup and forget over random operation sequences',
  async ({ use, expect }) => {
    const facet = use('registry');
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        registryUniverseArb.chain((universe) =>
          fc.tuple(fc.constant(universe), registryCommandsArb(universe)),
        ),
        async ([universe, commands]) => {
          runs += 1;
          // After every mutation, each exact key and the 4-, 8- and 12-character prefix of each
          // ID is looked up again.
          const ids = [...universe.canonicals, ...universe.execIds];
          const keys = [
            ...new Set([
              ...exactKeys(universe),
              ...ids.flatMap((id) => [4, 8, 12].map((length) => id.slice(0, length))),
            ]),
          ];
          const real = await facet.create();
          await fc.asyncModelRun(() => ({ model: new RegistryModel(), real: { real, keys } }), commands);
        },
      ),
      { numRuns: profileRuns(200) },
    );
    expect(runs).toBeGreaterThan(0);
  },
  // A model run of many sequential round trips: about 30 s on an idle 2-core machine, several times
  // that when the machine is busy.
  { timeoutMs: 180_000 },
);
