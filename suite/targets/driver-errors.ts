import { BerthError } from '../../protocol/errors.js';

/** The tail of a driver's stderr, for error messages (empty when there is none). */
export function withStderr(message: string, stderrTail: string): string {
  const tail = stderrTail.trimEnd();
  return tail === '' ? message : `${message}; driver stderr (tail):\n${tail}`;
}

/** The driver process exited (or was killed): every call still waiting fails with this. */
export class DriverExitedError extends BerthError {
  readonly code = 'ERR_DRIVER_EXITED';
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly stderrTail = '',
  ) {
    super(
      withStderr(
        `the driver exited ${signal === null ? `with code ${String(exitCode)}` : `on ${signal}`}`,
        stderrTail,
      ),
    );
  }
}

/** The driver process could not be started. */
export class DriverSpawnError extends BerthError {
  readonly code = 'ERR_DRIVER_SPAWN';
  constructor(
    readonly command: string,
    options?: ErrorOptions,
  ) {
    super(
      `cannot start the driver '${command}': ${String((options?.cause as Error | undefined)?.message)}`,
      options,
    );
  }
}
