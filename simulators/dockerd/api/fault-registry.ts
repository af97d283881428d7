import { SimulatorUsageError } from '../dockerd-errors.js';

/** What an injected fault does to a matching request. */
export type DockerdFault =
  /** Answer normally after `ms`. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Answer `status` with a Docker error body instead of handling the request. */
  | { readonly kind: 'status'; readonly status: number; readonly message?: string }
  /** Handle the request, then reset the connection after `afterBytes` bytes of the answer. */
  | { readonly kind: 'reset-mid-body'; readonly afterBytes: number }
  /** Never answer (the connection stays open until the client or the simulator closes it). */
  | { readonly kind: 'stall' };

export interface FaultRule {
  /** HTTP method to match (any when absent). */
  readonly method?: string;
  /** Matched against the path without the version prefix ("/containers/x/json"); a string must be equal. */
  readonly path: RegExp | string;
  readonly fault: DockerdFault;
  /** How many requests it applies to (default: every matching one). */
  readonly times?: number;
}

/** Per-endpoint fault injection (sim.faults). Rules are tried in the order they were set. */
export class FaultRegistry {
  readonly #rules: { rule: FaultRule; left: number }[] = [];

  /** Adds a rule; returns a function that removes it. */
  set(rule: FaultRule): () => void {
    if (rule.fault.kind === 'delay' && !(rule.fault.ms >= 0))
      throw new SimulatorUsageError('delay fault needs ms >= 0');
    if (rule.fault.kind === 'reset-mid-body' && !(rule.fault.afterBytes >= 0)) {
      throw new SimulatorUsageError('reset-mid-body fault needs afterBytes >= 0');
    }
    const entry = { rule, left: rule.times ?? Infinity };
    this.#rules.push(entry);
    return () => {
      const index = this.#rules.indexOf(entry);
      if (index >= 0) this.#rules.splice(index, 1);
    };
  }

  clear(): void {
    this.#rules.length = 0;
  }

  get size(): number {
    return this.#rules.length;
  }

  /** The fault for a request, consuming one use of its rule. */
  take(method: string, path: string): DockerdFault | undefined {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      const matches = typeof rule.path === 'string' ? rule.path === path : rule.path.test(path);
      if (!matches || entry.left <= 0) continue;
      entry.left -= 1;
      return rule.fault;
    }
    return undefined;
  }
}
