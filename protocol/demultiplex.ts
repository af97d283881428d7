import { Buffer } from 'node:buffer';
import { createFrameDecoder, type FrameDecoderOptions } from './stdcopy-decoder.js';
import type { StdcopyError } from './stdcopy-errors.js';
import type { Frame } from './stdcopy-frame.js';

export interface Demultiplexed {
  /** DKR-18: stdin frames (type 0) are written out as stdout, as moby's StdCopy does. */
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** DKR-18: type 3 payloads, the daemon's in-stream errors ("Error grabbing logs: ..."). */
  readonly system: Buffer;
}

export type DemultiplexResult =
  | ({ readonly ok: true } & Demultiplexed)
  | ({ readonly ok: false; readonly error: StdcopyError } & Demultiplexed);

/** Decodes a complete stdcopy body; on bad input, `error` plus everything decoded before it. */
export function demultiplex(
  bytes: Uint8Array,
  options: Partial<FrameDecoderOptions> = {},
): DemultiplexResult {
  const decoder = createFrameDecoder({ mode: 'multiplexed', ...options });
  const frames: Frame[] = [];
  let result = decoder.push(bytes);
  frames.push(...result.frames);
  if (result.ok) {
    result = decoder.end();
    frames.push(...result.frames);
  }
  const pick = (...streams: Frame['stream'][]): Buffer =>
    Buffer.concat(frames.filter((frame) => streams.includes(frame.stream)).map((frame) => frame.payload));
  const out = { stdout: pick('stdin', 'stdout'), stderr: pick('stderr'), system: pick('system') };
  return result.ok ? { ok: true, ...out } : { ok: false, error: result.error, ...out };
}
