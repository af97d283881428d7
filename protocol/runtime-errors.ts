import { BerthError } from './errors.js';
import type { OsKind } from './runtime.js';

/** The runtime does not know the container (or holds no dispatch record for it). */
export class RuntimeNotFoundError extends BerthError {
  readonly code = 'ERR_RUNTIME_NOT_FOUND';
  constructor(
    readonly container: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`container '${container}' not found: ${reason}`, options);
  }
}

/** The runtime does not implement the operation. */
export class RuntimeUnsupportedError extends BerthError {
  readonly code = 'ERR_RUNTIME_UNSUPPORTED';
  constructor(
    readonly operation: string,
    options?: ErrorOptions,
  ) {
    super(`operation not supported by this runtime: ${operation}`, options);
  }
}

/** The runtime cannot handle an image built for another OS. */
export class WrongPlatformError extends BerthError {
  readonly code = 'ERR_RUNTIME_WRONG_PLATFORM';
  constructor(
    readonly runtime: string,
    readonly expected: OsKind,
    readonly actual: OsKind,
    readonly image: string,
    options?: ErrorOptions,
  ) {
    super(
      `${runtime} runtime cannot handle image '${image}' (expected os=${expected}, got os=${actual})`,
      options,
    );
  }
}

/** No runtime on this node can run the service; a peer with `requiredOs` must. */
export class RouteToPeerError extends BerthError {
  readonly code = 'ERR_RUNTIME_ROUTE_TO_PEER';
  constructor(
    readonly service: string,
    readonly requiredOs: OsKind,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`service '${service}' requires OS '${requiredOs}' on another node: ${reason}`, options);
  }
}

/** A pull that no configured runtime completed. */
export class PullFailedError extends BerthError {
  readonly code = 'ERR_RUNTIME_PULL_FAILED';
  constructor(
    readonly image: string,
    readonly failures: readonly Error[],
  ) {
    super(`no runtime stored image '${image}' (${failures.length} attempt(s) failed)`, {
      cause: new AggregateError(failures, `pulls of '${image}' failed`),
    });
  }
}

/** Anything else a runtime reports. */
export class RuntimeInternalError extends BerthError {
  readonly code = 'ERR_RUNTIME_INTERNAL';
  constructor(message: string, options?: ErrorOptions) {
    super(`internal error: ${message}`, options);
  }
}
