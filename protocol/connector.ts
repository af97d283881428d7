import type { Duplex } from 'node:stream';
import { BerthError } from './errors.js';

/** Name of a utility-VM role (`native`, `amd64`, ...). Roles are configuration, not an enum. */
export type Role = string;

export interface ConnectOptions {
  /** Aborting rejects a pending connect with ConnectAbortedError and releases what it held. */
  readonly signal?: AbortSignal;
}

/**
 * Opens byte streams to the guest that owns a role (vsock in production, sockets or memory here).
 *
 * What every implementation guarantees (clauses VSK-*):
 * - each `connect()` is a new, independent connection;
 * - the stream is half-open capable: `end()` passes a FIN to the guest and reading goes on,
 *   and the guest's FIN arrives as `'end'` while writing goes on;
 * - transport failures surface as `'error'` (never as a clean `'end'`), connect failures as a
 *   rejected promise with a typed error;
 * - a connect that does not complete within the connector's timeout rejects with
 *   ConnectTimeoutError, never hangs.
 */
export interface Connector {
  readonly roles: readonly Role[];
  connect(role: Role, options?: ConnectOptions): Promise<Duplex>;
}

export class UnknownRoleError extends BerthError {
  readonly code = 'ERR_CONNECT_UNKNOWN_ROLE';
  constructor(
    readonly role: Role,
    readonly known: readonly Role[],
  ) {
    super(`no guest is configured for role '${role}' (configured: ${known.join(', ') || 'none'})`);
  }
}

export class ConnectRefusedError extends BerthError {
  readonly code = 'ERR_CONNECT_REFUSED';
  constructor(
    readonly role: Role,
    readonly endpoint: string,
    options?: ErrorOptions,
  ) {
    super(`guest for role '${role}' refused the connection at ${endpoint}`, options);
  }
}

export class ConnectTimeoutError extends BerthError {
  readonly code = 'ERR_CONNECT_TIMEOUT';
  constructor(
    readonly role: Role,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`connecting to the guest for role '${role}' took longer than ${timeoutMs} ms`, options);
  }
}

export class ConnectAbortedError extends BerthError {
  readonly code = 'ERR_CONNECT_ABORTED';
  constructor(
    readonly role: Role,
    options?: ErrorOptions,
  ) {
    super(`connecting to the guest for role '${role}' was aborted`, options);
  }
}

export class ConnectFailedError extends BerthError {
  readonly code = 'ERR_CONNECT_FAILED';
  constructor(
    readonly role: Role,
    readonly endpoint: string,
    options?: ErrorOptions,
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`could not connect to the guest for role '${role}' at ${endpoint}${reason}`, options);
  }
}
