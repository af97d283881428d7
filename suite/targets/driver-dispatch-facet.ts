import type { ImageInspector, Runtime } from '../../protocol/runtime.js';
import { FakeImageInspector, FakeRuntime, MockRuntime } from '../../simulators/runtimes/index.js';
import type { DispatchFacet, DispatchRuntimes } from './dispatch-facet.js';
import { argsToWire, fromWire, inAnswer, inRequest, resultFromWire } from './driver-codec.js';
import type { DriverConnection } from './driver-connection.js';
import { DriverBadRequestError, DriverUnknownHandleError } from './driver-errors.js';
import { createRemoteRuntime } from './driver-remote-runtime.js';
import type { DriverInstance, DriverSession } from './driver-session.js';
import {
  INSPECTORS,
  OPS,
  RUNTIME_METHODS,
  SLOTS,
  readArgs,
  readHandle,
  type InspectorName,
  type RuntimeMethod,
} from './driver-wire.js';

/** A composite runtime the driver holds, as the suite reaches it; disposable to release it early. */
export type DriverComposite = Runtime & AsyncDisposable;

const INSPECTOR_NAMES = Object.keys(INSPECTORS) as InspectorName[];

/** §8: serves the driver's callbacks into the runtimes and inspectors of the composites it holds. */
function serveCallbacks(connection: DriverConnection, held: ReadonlyMap<string, DispatchRuntimes>): void {
  const runtimesOf = (handle: string): DispatchRuntimes => {
    const runtimes = held.get(handle);
    if (runtimes === undefined) throw new DriverUnknownHandleError(handle);
    return runtimes;
  };

  connection.serve(OPS.callback.runtime, (args, op) => {
    const read = readArgs(op, args);
    const runtimes = runtimesOf(read.text('handle'));
    const slot = read.oneOf('runtime', SLOTS);
    const runtime = runtimes[slot];
    if (runtime === undefined)
      throw new DriverBadRequestError(`${op}: this composite was given no ${slot} runtime`);
    const method = read.oneOf('method', Object.keys(RUNTIME_METHODS) as RuntimeMethod[]);
    const callArgs = read.list('args').map((arg) => fromWire(arg, connection.streams, inRequest));
    return (runtime[method] as (...values: unknown[]) => Promise<unknown>).apply(runtime, callArgs);
  });

  connection.serve(OPS.callback.inspect, (args, op) => {
    const read = readArgs(op, args);
    const runtimes = runtimesOf(read.text('handle'));
    const name = read.oneOf('inspector', INSPECTOR_NAMES);
    const inspector: ImageInspector<unknown> | undefined = runtimes[INSPECTORS[name]];
    if (inspector === undefined)
      throw new DriverBadRequestError(`${op}: this composite was given no ${name} inspector`);
    return inspector.inspect(read.text('image'));
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
  return { connection, op: OPS.dispatch.dispose, handle, release: () => held.delete(handle) };
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
      const slots = SLOTS.filter((slot) => runtimes[slot] !== undefined);
      const inspectors = INSPECTOR_NAMES.filter((name) => runtimes[INSPECTORS[name]] !== undefined);
      const handle = readHandle(
        OPS.dispatch.create,
        await connection.request(OPS.dispatch.create, { runtimes: slots, inspectors }),
      );
      held.set(handle, runtimes);
      const instance = compositeInstance(connection, held, handle);

      const composite = createRemoteRuntime(async (method, args) => {
        const result = await connection.request(OPS.dispatch.call, {
          handle,
          method,
          args: argsToWire(args, connection.streams),
        });
        void composite; // reachable while a call is in flight, so never finalized mid-call
        const decoded = resultFromWire(method, result, connection.streams, inAnswer);
        return RUNTIME_METHODS[method] === 'stream'
          ? pinned(decoded as AsyncIterable<unknown>, composite)
          : decoded;
      }) as DriverComposite;
      composite[Symbol.asyncDispose] = () => session.disposeInstance(composite, instance);
      session.track(composite, instance);
      return composite;
    },
  };
}
