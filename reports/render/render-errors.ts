import { BerthError } from '../../protocol/errors.js';

/** What is wrong with a results file. */
export type InvalidResultsProblem =
  | 'unreadable'
  | 'not-json'
  /** Valid JSON but not a berth results file (no `schema`, not an object). */
  | 'not-results'
  /** Written by an older berth (`berth.results/1`): regenerate it. */
  | 'older-schema'
  /** Written by a newer berth: update berth. */
  | 'newer-schema'
  | 'unknown-schema'
  /** A required field is missing or has the wrong type (see `jsonPath`). */
  | 'field';

export interface InvalidResultsDetail {
  /** The JSON path of the offending field (`clauses[3].outcome`), for `field` problems. */
  readonly jsonPath?: string;
  /** The `schema` the file declares, for schema problems. */
  readonly schema?: string;
}

/**
 * A results file that cannot be rendered: unreadable, not JSON, another schema, or a required
 * field missing or of the wrong type. The message is one line naming the file and the JSON path.
 */
export class InvalidResultsFileError extends BerthError {
  readonly code = 'ERR_REPORT_INVALID_RESULTS';
  readonly jsonPath: string | undefined;
  readonly schema: string | undefined;
  constructor(
    readonly file: string,
    readonly problem: InvalidResultsProblem,
    description: string,
    detail: InvalidResultsDetail = {},
    options?: ErrorOptions,
  ) {
    super(`${file}: ${description}`.replace(/[\r\n]+/g, ' '), options);
    this.jsonPath = detail.jsonPath;
    this.schema = detail.schema;
  }
}

/** A report could not be written (the folder is not writable, the disk is full, ...). */
export class ReportWriteError extends BerthError {
  readonly code = 'ERR_REPORT_WRITE';
  constructor(
    readonly path: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`cannot write ${path}: ${reason}`, options);
  }
}
