import { RuntimeUnsupportedError } from '../../protocol/runtime-errors.js';
import { hasErrorCode } from '../../protocol/errors.js';

const NOT_FOUND = 'ERR_RUNTIME_NOT_FOUND';

/**
 * CMP-13: the error accumulator of a fallback over several runtimes. It keeps the latest
 * NotFound and, apart, the latest other ("soft") error; the soft error wins at the end.
 */
export class ReadFailures {
  #soft: unknown;
  #hasSoft = false;
  #notFound: unknown;
  #hasNotFound = false;

  note(error: unknown): void {
    if (hasErrorCode(error, NOT_FOUND)) {
      this.#notFound = error;
      this.#hasNotFound = true;
    } else {
      this.#soft = error;
      this.#hasSoft = true;
    }
  }

  /** The error to report when no runtime served `what`. */
  toError(what: string): unknown {
    if (this.#hasSoft) return this.#soft;
    if (this.#hasNotFound) return this.#notFound;
    return new RuntimeUnsupportedError(`no backend could serve ${what}`);
  }
}
