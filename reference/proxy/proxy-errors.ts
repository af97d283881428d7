import type { Role } from '../../protocol/connector.js';
import { BerthError } from '../../protocol/errors.js';

/**
 * The failures the proxy answers itself, each with the Docker status it maps to. Anything else
 * that reaches the wire edge is unexpected: 500 with a generic message, logged.
 */
export abstract class ProxyError extends BerthError {
  abstract readonly status: number;
}

/** HND-7: the identifier matches workloads of several roles. */
export class AmbiguousWorkloadError extends ProxyError {
  readonly code = 'ERR_PROXY_AMBIGUOUS_WORKLOAD';
  readonly status = 409;
  constructor(
    readonly identifier: string,
    readonly roles: readonly Role[],
  ) {
    super(
      `workload identifier '${identifier}' is ambiguous: it matches workloads of roles ${roles.join(', ')}; use the full container ID`,
    );
  }
}

/** HND-5: a create asks for a platform no configured role runs. */
export class UnsupportedPlatformError extends ProxyError {
  readonly code = 'ERR_PROXY_UNSUPPORTED_PLATFORM';
  readonly status = 501;
  constructor(
    readonly platform: string,
    readonly configured: readonly { readonly role: Role; readonly platforms: readonly string[] }[],
  ) {
    const roles = configured
      .map(({ role, platforms }) => `${role} (${platforms.join(', ') || 'no platforms'})`)
      .join(', ');
    super(`platform '${platform}' is not supported: no configured role runs it (roles: ${roles})`);
  }
}

/** The guest for a role cannot be reached, or it broke the connection before answering: 502. */
export class GuestUnavailableError extends ProxyError {
  readonly code = 'ERR_PROXY_GUEST_UNAVAILABLE';
  readonly status = 502;
  constructor(
    readonly role: Role,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`guest docker for role '${role}' is unavailable: ${reason}`, options);
  }
}

/** The guest for a role did not connect or answer in time: 504. */
export class GuestTimeoutError extends ProxyError {
  readonly code = 'ERR_PROXY_GUEST_TIMEOUT';
  readonly status = 504;
  constructor(
    readonly role: Role,
    readonly what: string,
    options?: ErrorOptions,
  ) {
    super(`timeout: guest docker for role '${role}' ${what}`, options);
  }
}

/** The guest answered something that is not HTTP/1.1 the proxy can relay: 502. */
export class GuestProtocolError extends ProxyError {
  readonly code = 'ERR_PROXY_GUEST_PROTOCOL';
  readonly status = 502;
  constructor(
    readonly role: Role,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`guest docker for role '${role}' sent an invalid answer: ${reason}`, options);
  }
}

/** The client's request cannot be read or forwarded as sent: 400 (or 413 for a body too large). */
export class BadClientRequestError extends ProxyError {
  readonly code = 'ERR_PROXY_BAD_REQUEST';
  constructor(
    reason: string,
    readonly status = 400,
    options?: ErrorOptions,
  ) {
    super(`bad request: ${reason}`, options);
  }
}

export function isProxyError(value: unknown): value is ProxyError {
  return value instanceof ProxyError;
}
