import { BerthError } from '../protocol/errors.js';

/** A bad command-line value: reported as one line, exit code 2. */
export class UsageError extends BerthError {
  readonly code = 'ERR_CLI_USAGE';
}
