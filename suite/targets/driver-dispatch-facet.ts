import {
  DRIVER_OPS,
  DriverBadRequestError,
  DriverUnknownHandleError,
  INSPECTOR_KINDS,
  RUNTIME_SLOTS,
  STREAM_METHODS,
  SUITE_OPS,
  arrayArg,
  decodeRuntimeResult,
  encodeArgs,
  isInspectorKind,
  isRuntimeMethod,
  isRuntimeSlot,
  parseHandle,
  stringArg,
} from '../../protocol/driver/driver-protocol.js';
import type { ImageInspector, Runtime } from '../../protocol/runtime.js';
import { FakeImageInspector, FakeRuntime, MockRuntime } from '../../simulators/runtimes/index.js';
import type { DispatchFacet, DispatchRuntimes } from './dispatch-facet.js';
import type { DriverConnection } from './driver-connection.js';
import { createRemoteRuntime } from '../../reference/driver/remote-runtime.js';
import type { DriverInstance, DriverSession } from './driver-session.js';

/** A composite runtime the driver holds, as the suite reaches it; disposable to release it early. */
export type DriverComposite = Runtime & AsyncDisposable;

/** Serves the driver's callbacks into the runtimes and inspectors of the composites it holds. */
function serveCallbacks(connection: DriverConnection, held: ReadonlyMap<string, DispatchRuntimes>): void {
  const runtimesOf = (op: string, handle: string): DispatchRuntimes => {
    const runtimes = held.get(handle);
    if (runtimes === undefined) throw new DriverUnknownHandleError(handle);
    return runtimes;
  };

  connection.handle(SUITE_OPS.runtimeCall, (args, op) => {
    const runtimes = runtimesOf(op, stringArg(op, args, 'handle'));
    const slot = stringArg(op, args, 'runtime');
    if (!isRuntimeSlot(slot)) {
      throw new DriverBadRequestError(
        `${op}: "args.runtime" must be one of ${RUNTIME_SLOTS.join(', ')}, got '${slot}'`,
      );
    }
    const runtime = runtimes[slot];
    if (runtime === undefined)
      throw new DriverBadRequestError(`${op}: this composite was given no ${slot} runtime`);
    const method = stringArg(op, args, 'method');
    if (!isRuntimeMethod(method))
      throw new DriverBadRequestError(`${op}: '${method}' is not a Runtime method`);
    const callArgs = arrayArg(op, args, 'args', true).map((arg) => connection.decode(arg));
    return (runtime[method] as (...values: unknown[]) => Promise<unknown>).apply(runtime, callArgs);
  });

  connection.handle(SUITE_OPS.inspectorInspect, (args, op) => {
    const runtimes = runtimesOf(op, stringArg(op, args, 'handle'));
    const kind = stringArg(op, args, 'inspector');
    if (!isInspectorKind(kind)) {
      throw new DriverBadRequestError(
        `${op}: "args.inspector" must be one of ${INSPECTOR_KINDS.join(', ')}, got '${kind}'`,
      );
    }
    const inspector: ImageInspector<unknown> | undefined =
      kind === 'os' ? runtimes.osInspector : runtimes.markerInspector;
    if (inspector === undefined)
      throw new DriverBadRequestError(`${op}: this composite was given no ${kind} inspector`);
    return inspector.inspect(stringArg(op, args, 'image'));
  });
}

/**
 * A stream that keeps `owner` reachable while it is held or iterated: a composite whose stream is
 * still being read is not disposed (the driver may call back for it while producing items).
 */
function pinned(stream: AsyncIterable<unknown>, owner: object): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<unknown> {
      const iterator = stream[Symbol.asyncIterator]();
      return {
        next: () => {
          void owner;
          return iterator.next();
        },
        return: async (value?: unknown) => {
          void owner;
          return (await iterator.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}

/** What disposing a composite takes; built out here so it holds no reference to the composite. */
function compositeInstance(
  connection: DriverConnection,
  held: Map<string, DispatchRuntimes>,
  handle: string,
): DriverInstance {
  return { connection, op: DRIVER_OPS.dispatchDispose, handle, release: () => held.delete(handle) };
}

/**
 * The dispatch facet over a driver. The runtime doubles and inspectors stay in the suite (as with
 * the embedded reference); `create` asks the driver for a composite over the slots that were
 * given, and the driver calls back (`runtime.call`, `inspector.inspect`) into those doubles.
 */
export function createDriverDispatchFacet(session: DriverSession): DispatchFacet {
  const composites = new WeakMap<DriverConnection, Map<string, DispatchRuntimes>>();
  session.onConnection((connection) => {
    const held = new Map<string, DispatchRuntimes>();
    composites.set(connection, held);
    serveCallbacks(connection, held);
  });

  return {
    mockRuntime: (name, journal) => new MockRuntime(name, journal),
    fakeRuntime: (name, options) => new FakeRuntime(name, options),
    imageInspector: (options) => new FakeImageInspector(options),
    async create(runtimes: DispatchRuntimes): Promise<DriverComposite> {
      const connection = await session.connect('dispatch');
      const held = composites.get(connection) as Map<string, DispatchRuntimes>;
      const slots = RUNTIME_SLOTS.filter((slot) => runtimes[slot] !== undefined);
      const inspectors = INSPECTOR_KINDS.filter(
        (kind) => (kind === 'os' ? runtimes.osInspector : runtimes.markerInspector) !== undefined,
      );
      const handle = parseHandle(
        DRIVER_OPS.dispatchCreate,
        await connection.request(DRIVER_OPS.dispatchCreate, { runtimes: slots, inspectors }),
      );
      held.set(handle, runtimes);
      const instance = compositeInstance(connection, held, handle);

      const composite = createRemoteRuntime(async (method, args) => {
        const result = await connection.request(DRIVER_OPS.dispatchCall, {
          handle,
          method,
          args: encodeArgs(args, connection),
        });
        void composite; // reachable while a call is in flight, so never finalized mid-call
        const decoded = decodeRuntimeResult(method, result, connection);
        return STREAM_METHODS.includes(method)
          ? pinned(decoded as AsyncIterable<unknown>, composite)
          : decoded;
      }) as DriverComposite;
      composite[Symbol.asyncDispose] = () => session.disposeInstance(composite, instance);
      session.track(composite, instance);
      return composite;
    },
  };
}
