import { Buffer } from 'node:buffer';
import { StdcopyBadStreamError, StdcopyPayloadTooLargeError } from './stdcopy-errors.js';
import {
  STDCOPY_HEADER_BYTES,
  STDCOPY_MAX_PAYLOAD_BYTES,
  isStreamType,
  streamType,
  type StreamName,
  type StreamType,
} from './stdcopy-frame.js';

/** DKR-18: the 8-byte header [stream, 0, 0, 0, uint32 BE length]. */
export function encodeFrameHeader(stream: StreamType | StreamName, length: number): Buffer {
  const type = typeof stream === 'string' ? streamType(stream) : stream;
  if (!isStreamType(type)) throw new StdcopyBadStreamError(stream);
  if (!Number.isSafeInteger(length) || length < 0 || length > STDCOPY_MAX_PAYLOAD_BYTES) {
    throw new StdcopyPayloadTooLargeError(length);
  }
  const header = Buffer.alloc(STDCOPY_HEADER_BYTES);
  header[0] = type;
  header.writeUInt32BE(length, 4);
  return header;
}

/** One stdcopy frame; a string payload is encoded as UTF-8. */
export function encodeFrame(stream: StreamType | StreamName, payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([encodeFrameHeader(stream, body.byteLength), body]);
}
