import { Buffer } from 'node:buffer';
import {
  StdcopyBadPaddingError,
  StdcopyBadStreamError,
  StdcopyDecoderEndedError,
  StdcopyFrameTooLargeError,
  StdcopyTruncatedError,
  type StdcopyError,
} from './stdcopy-errors.js';
import {
  STDCOPY_HEADER_BYTES,
  isStreamType,
  streamName,
  type Frame,
  type StreamName,
} from './stdcopy-frame.js';

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface FrameDecoderOptions {
  /** DKR-18: `multiplexed` without a TTY, `raw` with one (bytes pass through as stdout frames). */
  readonly mode: 'multiplexed' | 'raw';
  /** Largest payload a header may announce (multiplexed mode); default 16 MiB. */
  readonly maxFrameBytes?: number;
  /**
   * Require header bytes 1..3 to be zero. Off by default: moby's StdCopy reads only byte 0 and
   * bytes 4..7, so a lenient decoder accepts whatever dockerd accepts.
   */
  readonly strictPadding?: boolean;
}

export type DecodeResult =
  | { readonly ok: true; readonly frames: Frame[] }
  | { readonly ok: false; readonly error: StdcopyError; readonly frames: Frame[] };

/**
 * Chunk-safe stdcopy decoder. It never throws: bad input yields `{ ok: false, error }`, and once
 * failed (or ended) every later call reports the same error.
 */
export interface FrameDecoder {
  push(chunk: Uint8Array): DecodeResult;
  /** End of input: a partial header or payload is `ERR_STDCOPY_TRUNCATED`. */
  end(): DecodeResult;
}

export function createFrameDecoder(options: FrameDecoderOptions): FrameDecoder {
  return options.mode === 'raw' ? createRawDecoder() : createMultiplexedDecoder(options);
}

function createRawDecoder(): FrameDecoder {
  let ended = false;
  let failure: StdcopyError | undefined;
  return {
    push(chunk) {
      if (failure) return { ok: false, error: failure, frames: [] };
      if (ended) {
        failure = new StdcopyDecoderEndedError(chunk.byteLength);
        return { ok: false, error: failure, frames: [] };
      }
      if (chunk.byteLength === 0) return { ok: true, frames: [] };
      return { ok: true, frames: [{ stream: 'stdout', payload: Buffer.from(chunk) }] };
    },
    end() {
      ended = true;
      return failure ? { ok: false, error: failure, frames: [] } : { ok: true, frames: [] };
    },
  };
}

function createMultiplexedDecoder(options: FrameDecoderOptions): FrameDecoder {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const strictPadding = options.strictPadding ?? false;
  const header = Buffer.alloc(STDCOPY_HEADER_BYTES);
  let headerFilled = 0;
  let stream: StreamName = 'stdout';
  /** Payload length of the current frame, or -1 while its header is incomplete. */
  let payloadLength = -1;
  let parts: Buffer[] = [];
  let payloadFilled = 0;
  /** Absolute offset of the current frame's header, for error messages. */
  let frameOffset = 0;
  let ended = false;
  let failure: StdcopyError | undefined;

  function fail(error: StdcopyError, frames: Frame[]): DecodeResult {
    failure = error;
    parts = [];
    return { ok: false, error, frames };
  }

  function completeFrame(frames: Frame[]): void {
    frames.push({ stream, payload: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts) });
    frameOffset += STDCOPY_HEADER_BYTES + payloadLength;
    parts = [];
    payloadFilled = 0;
    payloadLength = -1;
    headerFilled = 0;
  }

  /** DKR-18: checks run once the whole header is in, so the outcome never depends on chunking. */
  function checkHeader(): StdcopyError | undefined {
    const type = header[0] as number;
    if (!isStreamType(type)) return new StdcopyBadStreamError(type, frameOffset);
    const padding = [header[1], header[2], header[3]] as number[];
    if (strictPadding && padding.some((byte) => byte !== 0))
      return new StdcopyBadPaddingError(padding, frameOffset);
    const length = header.readUInt32BE(4);
    if (length > maxFrameBytes) return new StdcopyFrameTooLargeError(length, maxFrameBytes, frameOffset);
    stream = streamName(type);
    payloadLength = length;
    return undefined;
  }

  return {
    push(chunk) {
      if (failure) return { ok: false, error: failure, frames: [] };
      if (ended) return fail(new StdcopyDecoderEndedError(chunk.byteLength), []);
      const frames: Frame[] = [];
      const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let at = 0;
      while (at < input.length) {
        if (payloadLength < 0) {
          const take = Math.min(STDCOPY_HEADER_BYTES - headerFilled, input.length - at);
          input.copy(header, headerFilled, at, at + take);
          headerFilled += take;
          at += take;
          if (headerFilled < STDCOPY_HEADER_BYTES) break;
          const error = checkHeader();
          if (error) return fail(error, frames);
          if (payloadLength === 0) completeFrame(frames);
          continue;
        }
        const take = Math.min(payloadLength - payloadFilled, input.length - at);
        // Copied, so a caller that reuses its chunk buffer cannot change a frame already returned.
        parts.push(Buffer.from(input.subarray(at, at + take)));
        payloadFilled += take;
        at += take;
        if (payloadFilled === payloadLength) completeFrame(frames);
      }
      return { ok: true, frames };
    },
    end() {
      if (failure) return { ok: false, error: failure, frames: [] };
      ended = true;
      if (payloadLength >= 0) {
        return fail(new StdcopyTruncatedError(payloadLength - payloadFilled, frameOffset), []);
      }
      if (headerFilled > 0) {
        return fail(new StdcopyTruncatedError(STDCOPY_HEADER_BYTES - headerFilled, frameOffset), []);
      }
      return { ok: true, frames: [] };
    },
  };
}
