import { BerthError } from '../../protocol/errors.js';

/** UPG-8: writing the request and reading the guest's head took longer than the deadline (504). */
export class HandshakeTimeoutError extends BerthError {
  readonly code = 'ERR_BRIDGE_HANDSHAKE_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`the guest did not answer the upgrade request within ${timeoutMs} ms`);
  }
}

/** UPG-4: the guest ended its side before a complete response head (502). */
export class GuestClosedError extends BerthError {
  readonly code = 'ERR_BRIDGE_GUEST_CLOSED';
  constructor(
    readonly received: number,
    options?: ErrorOptions,
  ) {
    super(
      `the guest closed the connection after ${received} bytes, before a complete response head`,
      options,
    );
  }
}

/** UPG-3: the guest connection failed (reset, write error) before the guest answered (502). */
export class GuestConnectionError extends BerthError {
  readonly code = 'ERR_BRIDGE_GUEST_CONNECTION';
  constructor(options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`the guest connection failed before the guest answered${reason}`, options);
  }
}

/** UPG-5, UPG-6, UPG-7: the guest's head is malformed or too large, or its body framing is invalid (502). */
export class GuestBadResponseError extends BerthError {
  readonly code = 'ERR_BRIDGE_BAD_RESPONSE';
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`the guest sent an invalid response: ${reason}`, options);
  }
}

/** UPG-2: the request cannot be written as HTTP/1.1 (a method or target outside the grammar) (400). */
export class BadUpgradeRequestError extends BerthError {
  readonly code = 'ERR_BRIDGE_BAD_REQUEST';
  constructor(options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`the upgrade request cannot be forwarded${reason}`, options);
  }
}

/** UPG-9, UPG-19: a relayed body stopped short (guest EOF, reset or silence) after its head went out. */
export class GuestBodyError extends BerthError {
  readonly code = 'ERR_BRIDGE_BODY_INCOMPLETE';
  constructor(
    readonly reason: 'ended' | 'reset' | 'timeout' | 'malformed',
    readonly relayed: number,
    options?: ErrorOptions,
  ) {
    super(`the guest's response body stopped (${reason}) after ${relayed} bytes were relayed`, options);
  }
}

/** UPG-17: one side of an established stream failed; the other side was reset. */
export class StreamResetError extends BerthError {
  readonly code = 'ERR_BRIDGE_STREAM_RESET';
  constructor(
    readonly side: 'client' | 'guest',
    options?: ErrorOptions,
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`the ${side} side of the bridged stream failed${reason}`, options);
  }
}

/** The client went away (error or close) before the guest answered; nothing could be relayed. */
export class ClientGoneError extends BerthError {
  readonly code = 'ERR_BRIDGE_CLIENT_GONE';
  constructor(options?: ErrorOptions) {
    super('the client connection closed before the guest answered', options);
  }
}
