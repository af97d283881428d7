import type { Role } from '../../protocol/connector.js';
import type { TransportFault, TransportFaultKind } from '../../protocol/faults.js';

/**
 * How a FaultyConnector connection ended (or where it is):
 * - connect phase: `connecting`, then `refused` | `timeout` | `aborted` | `failed` or `open`;
 * - after connect: `closed` (both directions ended cleanly), `reset` (a reset fault fired),
 *   `garbage` (a garbage fault fired), `client-destroyed` (the client closed abruptly),
 *   `client-error` (the client's side errored), `guest-error` (the guest's side errored),
 *   `disposed` (closeAll() cut it).
 */
export type ConnectionOutcome =
  | 'connecting'
  | 'open'
  | 'closed'
  | 'reset'
  | 'garbage'
  | 'refused'
  | 'timeout'
  | 'aborted'
  | 'failed'
  | 'client-destroyed'
  | 'client-error'
  | 'guest-error'
  | 'disposed';

/** A snapshot of one connection made through a FaultyConnector. */
export interface ConnectionRecord {
  /** connect() call number on the connector, from 0. */
  readonly index: number;
  readonly role: Role;
  /** The faults the script gave this connection. */
  readonly faults: readonly TransportFault[];
  /** The faults that took effect, in the order they did. */
  readonly fired: readonly TransportFaultKind[];
  /** Bytes relayed client → guest. */
  readonly bytesToGuest: number;
  /** Bytes delivered guest → client (garbage included). */
  readonly bytesToClient: number;
  /** Client bytes a `black-hole` fault swallowed. */
  readonly bytesSwallowed: number;
  readonly outcome: ConnectionOutcome;
}

/** The mutable record behind a ConnectionRecord. */
export class ConnectionLog {
  readonly fired: TransportFaultKind[] = [];
  bytesToGuest = 0;
  bytesToClient = 0;
  bytesSwallowed = 0;
  outcome: ConnectionOutcome = 'connecting';

  constructor(
    readonly index: number,
    readonly role: Role,
    readonly faults: readonly TransportFault[],
  ) {}

  fire(kind: TransportFaultKind): void {
    if (!this.fired.includes(kind)) this.fired.push(kind);
  }

  /** Sets the outcome unless the connection already has a final one. */
  settle(outcome: ConnectionOutcome): void {
    if (this.outcome === 'connecting' || this.outcome === 'open') this.outcome = outcome;
  }

  snapshot(): ConnectionRecord {
    return {
      index: this.index,
      role: this.role,
      faults: this.faults,
      fired: [...this.fired],
      bytesToGuest: this.bytesToGuest,
      bytesToClient: this.bytesToClient,
      bytesSwallowed: this.bytesSwallowed,
      outcome: this.outcome,
    };
  }
}
