import {
  DRIVER_OPS,
  DriverUnknownHandleError,
  stringArg,
  type JsonObject,
} from '../../protocol/driver/driver-protocol.js';
import { createWorkloadRegistry, type WorkloadRegistry } from '../registry/index.js';
import type { DriverPeer } from '../../protocol/driver/driver-peer.js';

/**
 * Serves the reference workload registry over the driver protocol: `registry.create` makes a
 * fresh registry under a new handle, every other op names its handle.
 */
export function serveRegistry(peer: DriverPeer): void {
  const registries = new Map<string, WorkloadRegistry>();
  let next = 1;
  const registryOf = (op: string, args: JsonObject): WorkloadRegistry => {
    const handle = stringArg(op, args, 'handle');
    const registry = registries.get(handle);
    if (registry === undefined) throw new DriverUnknownHandleError(handle);
    return registry;
  };

  peer.handle(DRIVER_OPS.registryCreate, () => {
    const handle = `r${next++}`;
    registries.set(handle, createWorkloadRegistry());
    return { handle };
  });
  peer.handle(DRIVER_OPS.registryRecord, (args, op) => {
    registryOf(op, args).record(stringArg(op, args, 'id'), stringArg(op, args, 'role'));
    return null;
  });
  peer.handle(DRIVER_OPS.registryAddAlias, (args, op) => {
    registryOf(op, args).addAlias(stringArg(op, args, 'canonical'), stringArg(op, args, 'alias'));
    return null;
  });
  peer.handle(DRIVER_OPS.registryRenameAlias, (args, op) => {
    registryOf(op, args).renameAlias(stringArg(op, args, 'canonical'), stringArg(op, args, 'alias'));
    return null;
  });
  peer.handle(DRIVER_OPS.registryLookup, (args, op) =>
    registryOf(op, args).lookup(stringArg(op, args, 'id')),
  );
  peer.handle(
    DRIVER_OPS.registryForget,
    (args, op) => registryOf(op, args).forget(stringArg(op, args, 'id')) ?? null,
  );
  peer.handle(DRIVER_OPS.registryDispose, (args, op) => {
    registryOf(op, args);
    registries.delete(stringArg(op, args, 'handle'));
    return null;
  });
}
