import type { Role } from '../../protocol/connector.js';
import type { WorkloadLookup, WorkloadRegistryPort } from '../../protocol/workload-registry.js';
import { fromWire, inAnswer } from './driver-codec.js';
import type { DriverSession } from './driver-session.js';
import { OPS, readHandle, type JsonValue } from './driver-wire.js';
import type { RegistryFacet } from './target.js';

/** A registry the driver holds, as the suite reaches it; disposable to release it early. */
export type DriverRegistry = WorkloadRegistryPort & AsyncDisposable;

/**
 * The registry facet over a driver: `registry.create` makes a fresh registry on the driver, and
 * each port method is one request naming its handle. Results are handed to the clause as the
 * driver sent them (`null` from forget is `undefined`), so a wrong answer fails the clause.
 */
export function createDriverRegistryFacet(session: DriverSession): RegistryFacet {
  return {
    async create(): Promise<DriverRegistry> {
      const connection = await session.connect('registry');
      const handle = readHandle(OPS.registry.create, await connection.request(OPS.registry.create, {}));
      const instance = { connection, op: OPS.registry.dispose, handle };
      const decode = (value: JsonValue): unknown => fromWire(value, connection.streams, inAnswer);
      const call = async (op: string, args: Record<string, string>): Promise<JsonValue> => {
        const result = await connection.request(op, { handle, ...args });
        void registry; // reachable while a call is in flight, so never finalized mid-call
        return result;
      };
      const registry: DriverRegistry = {
        async record(id: string, role: Role): Promise<void> {
          await call(OPS.registry.record, { id, role });
        },
        async addAlias(canonical: string, alias: string): Promise<void> {
          await call(OPS.registry.addAlias, { canonical, alias });
        },
        async renameAlias(canonical: string, alias: string): Promise<void> {
          await call(OPS.registry.renameAlias, { canonical, alias });
        },
        async lookup(id: string): Promise<WorkloadLookup> {
          return decode(await call(OPS.registry.lookup, { id })) as WorkloadLookup;
        },
        async forget(id: string): Promise<Role | undefined> {
          const role = await call(OPS.registry.forget, { id });
          return role === null ? undefined : (decode(role) as Role);
        },
        [Symbol.asyncDispose]: () => session.disposeInstance(registry, instance),
      };
      session.track(registry, instance);
      return registry;
    },
  };
}
