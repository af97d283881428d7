import { assertValidFault, InvalidFaultError, type HttpFault } from '../../../protocol/faults.js';

/**
 * The HTTP faults (protocol/faults.ts) the simulated dockerd injects per endpoint: `answer-delay`,
 * `answer-stall`, `error-status` (instead of handling the request) and `reset-mid-answer` (the
 * request is handled, the connection reset after `afterBytes` bytes of the answer).
 */
export type DockerdFault = Extract<
  HttpFault,
  { readonly kind: 'answer-delay' | 'answer-stall' | 'error-status' | 'reset-mid-answer' }
>;

const DOCKERD_FAULT_KINDS: ReadonlySet<string> = new Set<DockerdFault['kind']>([
  'answer-delay',
  'answer-stall',
  'error-status',
  'reset-mid-answer',
]);

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

  /** Adds a rule; returns a function that removes it. Throws InvalidFaultError on a fault it does not inject. */
  set(rule: FaultRule): () => void {
    if (!DOCKERD_FAULT_KINDS.has(rule.fault.kind)) {
      throw new InvalidFaultError(
        rule.fault,
        'the simulated dockerd injects answer-delay, answer-stall, error-status and reset-mid-answer',
      );
    }
    assertValidFault(rule.fault);
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
