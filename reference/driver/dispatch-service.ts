import {
  DRIVER_OPS,
  DriverBadRequestError,
  DriverUnknownHandleError,
  INSPECTOR_KINDS,
  RUNTIME_SLOTS,
  SUITE_OPS,
  arrayArg,
  decodeResult,
  decodeRuntimeResult,
  encodeArgs,
  isInspectorKind,
  isRuntimeMethod,
  isRuntimeSlot,
  stringArg,
  type InspectorKind,
  type JsonObject,
  type RuntimeSlot,
} from '../../protocol/driver/driver-protocol.js';
import type { ImageInspector, OsKind, Runtime, RuntimeMarker } from '../../protocol/runtime.js';
import { createCompositeRuntime, type CompositeRuntime } from '../dispatch/index.js';
import type { DriverPeer } from '../../protocol/driver/driver-peer.js';
import { createRemoteRuntime } from './remote-runtime.js';

/** A runtime of the suite's, reached with `runtime.call` callbacks. */
function suiteRuntime(peer: DriverPeer, handle: string, slot: RuntimeSlot): Runtime {
  return createRemoteRuntime(async (method, args) => {
    const result = await peer.request(SUITE_OPS.runtimeCall, {
      handle,
      runtime: slot,
      method,
      args: encodeArgs(args, peer),
    });
    return decodeRuntimeResult(method, result, peer);
  });
}

/** An image inspector of the suite's, reached with `inspector.inspect` callbacks. */
function suiteInspector<T>(peer: DriverPeer, handle: string, kind: InspectorKind): ImageInspector<T> {
  return {
    async inspect(image: string): Promise<T | undefined> {
      const result = await peer.request(SUITE_OPS.inspectorInspect, { handle, inspector: kind, image });
      return decodeResult(result, peer) as T | undefined;
    },
  };
}

function slotsOf(op: string, args: JsonObject): Set<RuntimeSlot> {
  const slots = new Set<RuntimeSlot>();
  for (const slot of arrayArg(op, args, 'runtimes')) {
    if (!isRuntimeSlot(slot)) {
      throw new DriverBadRequestError(
        `${op}: "args.runtimes" may hold only ${RUNTIME_SLOTS.join(', ')}, got ${JSON.stringify(slot)}`,
      );
    }
    slots.add(slot);
  }
  if (!slots.has('primary')) throw new DriverBadRequestError(`${op}: "args.runtimes" must include primary`);
  return slots;
}

function inspectorsOf(op: string, args: JsonObject): Set<InspectorKind> {
  const kinds = new Set<InspectorKind>();
  for (const kind of arrayArg(op, args, 'inspectors', true)) {
    if (!isInspectorKind(kind)) {
      throw new DriverBadRequestError(
        `${op}: "args.inspectors" may hold only ${INSPECTOR_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
      );
    }
    kinds.add(kind);
  }
  return kinds;
}

/**
 * Serves the reference composite runtime over the driver protocol. Each `dispatch.create` builds
 * a composite whose runtimes and inspectors are proxies calling back into the suite, so the
 * composite runs exactly as it does in-process, with the suite's doubles behind it.
 */
export function serveDispatch(peer: DriverPeer): void {
  const composites = new Map<string, CompositeRuntime>();
  let next = 1;
  const compositeOf = (op: string, args: JsonObject): CompositeRuntime => {
    const handle = stringArg(op, args, 'handle');
    const composite = composites.get(handle);
    if (composite === undefined) throw new DriverUnknownHandleError(handle);
    return composite;
  };

  peer.handle(DRIVER_OPS.dispatchCreate, (args, op) => {
    const slots = slotsOf(op, args);
    const inspectors = inspectorsOf(op, args);
    const handle = `c${next++}`;
    const runtime = (slot: RuntimeSlot): Runtime => suiteRuntime(peer, handle, slot);
    composites.set(
      handle,
      createCompositeRuntime({
        primary: runtime('primary'),
        ...(slots.has('delegate') ? { delegate: runtime('delegate') } : {}),
        ...(slots.has('vz') ? { vz: runtime('vz') } : {}),
        ...(slots.has('vzLinux') ? { vzLinux: runtime('vzLinux') } : {}),
        ...(inspectors.has('os') ? { osInspector: suiteInspector<OsKind>(peer, handle, 'os') } : {}),
        ...(inspectors.has('marker')
          ? { markerInspector: suiteInspector<RuntimeMarker>(peer, handle, 'marker') }
          : {}),
      }),
    );
    return { handle };
  });

  peer.handle(DRIVER_OPS.dispatchCall, (args, op) => {
    const composite = compositeOf(op, args);
    const method = stringArg(op, args, 'method');
    if (!isRuntimeMethod(method))
      throw new DriverBadRequestError(`${op}: '${method}' is not a Runtime method`);
    const callArgs = arrayArg(op, args, 'args', true).map((arg) => peer.decode(arg));
    return (composite[method] as (...values: unknown[]) => Promise<unknown>).apply(composite, callArgs);
  });

  peer.handle(DRIVER_OPS.dispatchDispose, (args, op) => {
    compositeOf(op, args);
    composites.delete(stringArg(op, args, 'handle'));
    return null;
  });
}
