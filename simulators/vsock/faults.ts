import type { Role } from '../../protocol/connector.js';
import { BerthError } from '../../protocol/errors.js';

/**
 * A deterministic transport fault applied to one connection by FaultyConnector.
 *
 * Connect phase, checked in this order: `refuse`, `stall-connect`, `delay`.
 * Data phase (on the relay between the client and the guest): `stall` swallows everything;
 * otherwise `garbage` replaces the guest's output, `drip` paces what goes to the client, and
 * `reset` / `half-close` cut a direction once their byte count has passed.
 */
export type Fault =
  /** connect() rejects with ConnectRefusedError. */
  | { readonly kind: 'refuse' }
  /** connect() resolves `ms` later (still subject to the connect timeout). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** connect() never completes on its own: the connect timeout rejects it with ConnectTimeoutError. */
  | { readonly kind: 'stall-connect' }
  /** Black hole: connected, client bytes are swallowed, nothing ever comes back (no guest is reached). */
  | { readonly kind: 'stall' }
  /**
   * Once `afterBytes` bytes have passed in `direction`, both ends are reset: the client emits
   * 'error' with code ECONNRESET, the guest's side is destroyed (reset when it is a memory socket).
   * `afterBytes: 0` resets right after connect.
   */
  | { readonly kind: 'reset'; readonly afterBytes: number; readonly direction: 'to-guest' | 'to-client' }
  /**
   * The guest's output beyond its first `afterBytes` (default 0) bytes is replaced by `bytes`
   * (default GARBAGE_BYTES), then the client's side is closed (FIN, then close) and the guest's
   * side destroyed. Triggered by the guest's first byte beyond `afterBytes`.
   */
  | { readonly kind: 'garbage'; readonly bytes?: string | Uint8Array; readonly afterBytes?: number }
  /**
   * After `afterBytes` guest-to-client bytes the client gets a FIN (a clean 'end'); later guest
   * output is dropped while the client's writes still reach the guest. `afterBytes: 0` sends the
   * FIN right after connect.
   */
  | { readonly kind: 'half-close'; readonly afterBytes: number }
  /** Guest-to-client bytes are delivered in slices of `chunkBytes`, one slice every `intervalMs`. */
  | { readonly kind: 'drip'; readonly chunkBytes: number; readonly intervalMs: number };

export type FaultKind = Fault['kind'];

/** Picks the faults of the `index`-th connect() call (counted from 0 per connector) to `role`. */
export type FaultScript = (index: number, role: Role) => readonly Fault[];

/** A declarative script: `all` applies to every connection, `byIndex[n]` to the n-th one (after `all`). */
export interface FaultPlan {
  readonly all?: readonly Fault[];
  readonly byIndex?: Readonly<Record<number, readonly Fault[]>>;
  readonly byRole?: Readonly<Record<Role, readonly Fault[]>>;
}

/** What the garbage fault sends by default: binary, and nothing an HTTP parser accepts. */
export const GARBAGE_BYTES: Uint8Array = Uint8Array.from([
  0x00, 0xff, 0x13, 0x37, 0x42, 0x45, 0x52, 0x54, 0x48, 0x2d, 0x47, 0x41, 0x52, 0x42, 0x41, 0x47, 0x45, 0xfe,
  0x0d, 0x0a,
]);

export class InvalidFaultError extends BerthError {
  readonly code = 'ERR_FAULT_INVALID';
  constructor(
    readonly fault: unknown,
    readonly reason: string,
  ) {
    super(`invalid fault ${JSON.stringify(fault)}: ${reason}`);
  }
}

/** Factories for each fault kind (`Faults.reset(10, 'to-client')`). */
export const Faults = {
  refuse: (): Fault => ({ kind: 'refuse' }),
  delay: (ms: number): Fault => ({ kind: 'delay', ms }),
  stallConnect: (): Fault => ({ kind: 'stall-connect' }),
  stall: (): Fault => ({ kind: 'stall' }),
  reset: (afterBytes: number, direction: 'to-guest' | 'to-client'): Fault => ({
    kind: 'reset',
    afterBytes,
    direction,
  }),
  garbage: (options: { readonly bytes?: string | Uint8Array; readonly afterBytes?: number } = {}): Fault => ({
    kind: 'garbage',
    ...options,
  }),
  halfClose: (afterBytes: number): Fault => ({ kind: 'half-close', afterBytes }),
  drip: (chunkBytes: number, intervalMs: number): Fault => ({ kind: 'drip', chunkBytes, intervalMs }),
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

function assertCount(fault: Fault, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidFaultError(fault, `${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Throws InvalidFaultError on a malformed fault or on two faults of one kind (two resets are
 * allowed when their directions differ).
 */
export function assertValidFaults(faults: readonly Fault[]): void {
  const seen = new Set<string>();
  for (const fault of faults) {
    const key = fault.kind === 'reset' ? `reset:${fault.direction}` : fault.kind;
    if (seen.has(key)) throw new InvalidFaultError(fault, `a second '${key}' fault on one connection`);
    seen.add(key);
    switch (fault.kind) {
      case 'delay':
        assertCount(fault, 'ms', fault.ms, 0);
        break;
      case 'reset':
        assertCount(fault, 'afterBytes', fault.afterBytes, 0);
        if (fault.direction !== 'to-guest' && fault.direction !== 'to-client') {
          throw new InvalidFaultError(fault, `direction must be 'to-guest' or 'to-client'`);
        }
        break;
      case 'garbage':
        assertCount(fault, 'afterBytes', fault.afterBytes ?? 0, 0);
        if (fault.bytes !== undefined && fault.bytes.length === 0) {
          throw new InvalidFaultError(fault, 'bytes must not be empty');
        }
        break;
      case 'half-close':
        assertCount(fault, 'afterBytes', fault.afterBytes, 0);
        break;
      case 'drip':
        assertCount(fault, 'chunkBytes', fault.chunkBytes, 1);
        assertCount(fault, 'intervalMs', fault.intervalMs, 0);
        break;
      case 'refuse':
      case 'stall-connect':
      case 'stall':
        break;
      default: {
        const unknown: never = fault;
        throw new InvalidFaultError(unknown, 'unknown kind');
      }
    }
  }
}
