import { RUNTIME_METHODS, type RuntimeMethodName } from '../../protocol/driver/driver-protocol.js';
import type { Runtime } from '../../protocol/runtime.js';

/** Carries one Runtime call across the wire and resolves with its decoded result. */
export type RuntimeInvoker = (method: RuntimeMethodName, args: unknown[]) => Promise<unknown>;

/**
 * A Runtime whose every method is a call through `invoke`, with the arguments exactly as given
 * (an omitted optional argument stays omitted). The suite reaches a driver's composite this way
 * (`dispatch.call`), and a driver reaches the suite's runtimes this way (`runtime.call`).
 */
export function createRemoteRuntime(invoke: RuntimeInvoker): Runtime {
  const runtime: Partial<Record<RuntimeMethodName, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of RUNTIME_METHODS) runtime[method] = (...args: unknown[]) => invoke(method, args);
  return runtime as unknown as Runtime;
}
