import { BerthError } from '../../protocol/errors.js';

/** The registry answered 429; `retryAfterSeconds` is its Retry-After, when it sent one. */
export class RegistryRateLimitedError extends BerthError {
  readonly code = 'ERR_REGISTRY_RATE_LIMITED';
  constructor(
    readonly url: string,
    readonly retryAfterSeconds: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `registry rate-limited ${url}` +
        (retryAfterSeconds === undefined ? '' : ` (retry after ${retryAfterSeconds}s)`),
      options,
    );
  }
}

/** The registry could not be reached (connection refused, reset, DNS failure, ...). */
export class RegistryUnavailableError extends BerthError {
  readonly code = 'ERR_REGISTRY_UNAVAILABLE';
  constructor(
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(`registry unreachable: ${url}`, options);
  }
}

/** The registry did not answer within the inspector's timeout. */
export class RegistryTimeoutError extends BerthError {
  readonly code = 'ERR_REGISTRY_TIMEOUT';
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`registry did not answer ${url} within ${timeoutMs} ms`, options);
  }
}

/** The registry answered with an unexpected status or an unreadable body (401 after a token too). */
export class RegistryResponseError extends BerthError {
  readonly code = 'ERR_REGISTRY_RESPONSE';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`registry answered ${status} for ${url}: ${reason}`, options);
  }
}
