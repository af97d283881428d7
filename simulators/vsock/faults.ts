import type { Role } from '../../protocol/connector.js';
import {
  assertValidFault,
  FAULT_LAYERS,
  InvalidFaultError,
  type TransportFault,
} from '../../protocol/faults.js';

/*
 * A FaultyConnector applies every transport fault (protocol/faults.ts) to the connections it makes.
 * Connect phase, checked in this order: `refuse`, `connect-stall`, `connect-delay`.
 * Data phase (on the relay between the client and the guest): `black-hole` swallows everything;
 * otherwise `garbage` replaces the guest's output, `drip` paces what goes to the client, and
 * `reset` / `half-close` cut a direction once their byte count has passed.
 */

/** Picks the faults of the `index`-th connect() call (counted from 0 per connector) to `role`. */
export type FaultScript = (index: number, role: Role) => readonly TransportFault[];

/** A declarative script: `all` applies to every connection, `byIndex[n]` to the n-th one (after `all`). */
export interface FaultPlan {
  readonly all?: readonly TransportFault[];
  readonly byIndex?: Readonly<Record<number, readonly TransportFault[]>>;
  readonly byRole?: Readonly<Record<Role, readonly TransportFault[]>>;
}

/** Factories for each fault kind (`Faults.reset(10, 'to-client')`). */
export const Faults = {
  refuse: (): TransportFault => ({ kind: 'refuse' }),
  connectDelay: (ms: number): TransportFault => ({ kind: 'connect-delay', ms }),
  connectStall: (): TransportFault => ({ kind: 'connect-stall' }),
  blackHole: (): TransportFault => ({ kind: 'black-hole' }),
  reset: (afterBytes: number, direction: 'to-guest' | 'to-client'): TransportFault => ({
    kind: 'reset',
    afterBytes,
    direction,
  }),
  garbage: (
    options: { readonly bytes?: string | Uint8Array; readonly afterBytes?: number } = {},
  ): TransportFault => ({
    kind: 'garbage',
    ...options,
  }),
  halfClose: (afterBytes: number): TransportFault => ({ kind: 'half-close', afterBytes }),
  drip: (chunkBytes: number, intervalMs: number): TransportFault => ({
    kind: 'drip',
    chunkBytes,
    intervalMs,
  }),
} as const;

/** Builds a FaultScript from a plan: `all`, then `byRole[role]`, then `byIndex[index]`. */
export function buildFaultScript(plan: FaultPlan): FaultScript {
  return (index, role) => [
    ...(plan.all ?? []),
    ...(plan.byRole?.[role] ?? []),
    ...(plan.byIndex?.[index] ?? []),
  ];
}

/** Shorthand for buildFaultScript. */
export const faultPlan = buildFaultScript;

/**
 * Throws InvalidFaultError on a fault that is not a transport fault, a malformed one, or two
 * faults of one kind on a connection (two resets are allowed when their directions differ).
 */
export function assertValidFaults(faults: readonly TransportFault[]): void {
  const seen = new Set<string>();
  for (const fault of faults) {
    if (FAULT_LAYERS[fault.kind] !== 'transport') {
      throw new InvalidFaultError(fault, 'a connector applies transport faults only');
    }
    const key = fault.kind === 'reset' ? `reset:${fault.direction}` : fault.kind;
    if (seen.has(key)) throw new InvalidFaultError(fault, `a second '${key}' fault on one connection`);
    seen.add(key);
    assertValidFault(fault);
  }
}
