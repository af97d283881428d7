import { BerthError } from './errors.js';

/** DKR-18: the stream byte is not 0..3 (moby's StdCopy: "Unrecognized input header"). */
export class StdcopyBadStreamError extends BerthError {
  readonly code = 'ERR_STDCOPY_BAD_STREAM';
  constructor(
    readonly stream: number | string,
    readonly offset?: number,
  ) {
    const where = offset === undefined ? 'stdcopy frame' : `stdcopy header at byte ${offset}`;
    super(
      `${where} has stream type ${String(stream)}, expected 0, 1, 2 or 3 (stdin, stdout, stderr, system)`,
    );
  }
}

/** Only with `strictPadding`: header bytes 1..3 must be zero (moby itself never reads them). */
export class StdcopyBadPaddingError extends BerthError {
  readonly code = 'ERR_STDCOPY_BAD_PADDING';
  constructor(
    readonly padding: readonly number[],
    readonly offset: number,
  ) {
    super(`stdcopy header at byte ${offset} has padding [${padding.join(', ')}], expected [0, 0, 0]`);
  }
}

export class StdcopyFrameTooLargeError extends BerthError {
  readonly code = 'ERR_STDCOPY_FRAME_TOO_LARGE';
  constructor(
    readonly length: number,
    readonly maxFrameBytes: number,
    readonly offset: number,
  ) {
    super(`stdcopy header at byte ${offset} announces ${length} payload bytes, limit is ${maxFrameBytes}`);
  }
}

/** The input ended inside a header or a payload. */
export class StdcopyTruncatedError extends BerthError {
  readonly code = 'ERR_STDCOPY_TRUNCATED';
  constructor(
    readonly missing: number,
    readonly offset: number,
  ) {
    super(`stdcopy input ended ${missing} bytes short of the frame that starts at byte ${offset}`);
  }
}

export class StdcopyDecoderEndedError extends BerthError {
  readonly code = 'ERR_STDCOPY_ENDED';
  constructor(readonly bytes: number) {
    super(`${bytes} bytes pushed to a stdcopy decoder after end()`);
  }
}

/** Encoder only: a payload the 32-bit length field cannot describe. */
export class StdcopyPayloadTooLargeError extends BerthError {
  readonly code = 'ERR_STDCOPY_PAYLOAD_TOO_LARGE';
  constructor(readonly length: number) {
    super(`stdcopy payload of ${length} bytes does not fit the 32-bit length field (max 4294967295)`);
  }
}

/** Every error a decoder can report. */
export type StdcopyError =
  | StdcopyBadStreamError
  | StdcopyBadPaddingError
  | StdcopyFrameTooLargeError
  | StdcopyTruncatedError
  | StdcopyDecoderEndedError;

export const STDCOPY_DECODER_ERROR_CODES: readonly StdcopyError['code'][] = [
  'ERR_STDCOPY_BAD_STREAM',
  'ERR_STDCOPY_BAD_PADDING',
  'ERR_STDCOPY_FRAME_TOO_LARGE',
  'ERR_STDCOPY_TRUNCATED',
  'ERR_STDCOPY_ENDED',
];
