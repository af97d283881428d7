import type { Runtime } from '../../protocol/runtime.js';
import { RUNTIME_METHODS, type RuntimeMethod } from './driver-wire.js';

/** Carries one Runtime call to the driver (a `dispatch.call`) and resolves with what it answered. */
export type DriverCall = (method: RuntimeMethod, args: readonly unknown[]) => Promise<unknown>;

/**
 * §7: a composite the driver holds, as a Runtime: each method of the document's table is one
 * `call`, with the arguments exactly as the clause gave them (an omitted optional one stays out).
 */
export function createRemoteRuntime(call: DriverCall): Runtime {
  const methods = Object.keys(RUNTIME_METHODS) as RuntimeMethod[];
  return Object.fromEntries(
    methods.map((method) => [method, (...args: unknown[]) => call(method, args)]),
  ) as unknown as Runtime;
}
