import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteByByte, cutsArb, splitAt } from '../suite/support/arbitraries/chunks.js';
import { frameListArb, stdcopyNoiseArb } from '../suite/support/arbitraries/stdcopy.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  createFrameDecoder,
  type DecodeResult,
  type FrameDecoder,
} from './stdcopy-decoder.js';
import { encodeFrame, encodeFrameHeader } from './stdcopy-encoder.js';
import { STDCOPY_DECODER_ERROR_CODES } from './stdcopy-errors.js';
import type { Frame } from './stdcopy-frame.js';

interface Outcome {
  frames: { stream: Frame['stream']; payload: string }[];
  code: string | undefined;
}

/** Pushes every chunk, then ends; stops at the first error like a caller would. */
function run(decoder: FrameDecoder, chunks: readonly Uint8Array[]): Outcome {
  const frames: Frame[] = [];
  const collect = (result: DecodeResult): string | undefined => {
    frames.push(...result.frames);
    return result.ok ? undefined : result.error.code;
  };
  let code: string | undefined;
  for (const chunk of chunks) {
    code = collect(decoder.push(chunk));
    if (code) break;
  }
  code ??= collect(decoder.end());
  return {
    frames: frames.map(({ stream, payload }) => ({ stream, payload: payload.toString('hex') })),
    code,
  };
}

const multiplexed = (options: { maxFrameBytes?: number; strictPadding?: boolean } = {}): FrameDecoder =>
  createFrameDecoder({ mode: 'multiplexed', ...options });

const sample = Buffer.concat([encodeFrame(1, 'out\n'), encodeFrame(2, 'err\n'), encodeFrame(1, 'more')]);
const sampleFrames = [
  { stream: 'stdout', payload: Buffer.from('out\n').toString('hex') },
  { stream: 'stderr', payload: Buffer.from('err\n').toString('hex') },
  { stream: 'stdout', payload: Buffer.from('more').toString('hex') },
];

describe('createFrameDecoder (multiplexed)', () => {
  it('decodes frames from one chunk and names their streams', () => {
    const bytes = Buffer.concat([
      encodeFrame(0, 'i'),
      encodeFrame(1, 'o'),
      encodeFrame(2, 'e'),
      encodeFrame(3, 's'),
    ]);
    const decoder = multiplexed();
    const result = decoder.push(bytes);
    expect(result.ok).toBe(true);
    expect(result.frames.map((frame) => [frame.stream, frame.payload.toString()])).toEqual([
      ['stdin', 'i'],
      ['stdout', 'o'],
      ['stderr', 'e'],
      ['system', 's'],
    ]);
    expect(decoder.end()).toEqual({ ok: true, frames: [] });
  });

  it('reassembles frames split at every byte offset', () => {
    for (let at = 0; at <= sample.length; at++) {
      const outcome = run(multiplexed(), [sample.subarray(0, at), sample.subarray(at)]);
      expect(outcome, `split at ${at}`).toEqual({ frames: sampleFrames, code: undefined });
    }
  });

  it('reassembles frames fed one byte at a time', () => {
    expect(run(multiplexed(), byteByByte(sample))).toEqual({ frames: sampleFrames, code: undefined });
  });

  it('emits a zero-length frame', () => {
    const result = multiplexed().push(encodeFrame(2, ''));
    expect(result.ok && result.frames).toEqual([{ stream: 'stderr', payload: Buffer.alloc(0) }]);
  });

  it('keeps frames intact when the caller reuses its chunk buffer', () => {
    const decoder = multiplexed();
    const chunk = Buffer.from(encodeFrame(1, 'abcd').subarray(0, 10));
    decoder.push(chunk);
    chunk.fill(0x7a);
    const result = decoder.push(Buffer.from('cd'));
    expect(result.frames.map((frame) => frame.payload.toString())).toEqual(['abcd']);
  });

  it('reports an unknown stream type with ERR_STDCOPY_BAD_STREAM after the frames before it', () => {
    const bad = Buffer.from([4, 0, 0, 0, 0, 0, 0, 1, 0x41]);
    const result = multiplexed().push(Buffer.concat([encodeFrame(1, 'ok'), bad]));
    expect(result.ok).toBe(false);
    expect(result.frames.map((frame) => frame.payload.toString())).toEqual(['ok']);
    expect(!result.ok && result.error).toMatchObject({
      code: 'ERR_STDCOPY_BAD_STREAM',
      stream: 4,
      offset: 10,
    });
  });

  it('stays failed after an error', () => {
    const decoder = multiplexed();
    const first = decoder.push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]));
    expect(first.ok).toBe(false);
    const later = decoder.push(encodeFrame(1, 'fine'));
    expect(later).toMatchObject({ ok: false, frames: [] });
    expect(!later.ok && !first.ok && later.error).toBe(!first.ok && first.error);
    expect(decoder.end()).toMatchObject({ ok: false, error: { code: 'ERR_STDCOPY_BAD_STREAM' } });
  });

  it('ignores nonzero padding bytes by default, as moby StdCopy does', () => {
    const result = multiplexed().push(Buffer.from([1, 0xff, 7, 1, 0, 0, 0, 2, 0x68, 0x69]));
    expect(result.ok && result.frames.map((frame) => frame.payload.toString())).toEqual(['hi']);
  });

  it('refuses nonzero padding with ERR_STDCOPY_BAD_PADDING when strictPadding is set', () => {
    const result = multiplexed({ strictPadding: true }).push(Buffer.from([1, 0, 0, 1, 0, 0, 0, 0]));
    expect(!result.ok && result.error).toMatchObject({ code: 'ERR_STDCOPY_BAD_PADDING', padding: [0, 0, 1] });
    expect(multiplexed({ strictPadding: true }).push(encodeFrame(1, 'x')).ok).toBe(true);
  });

  it('accepts a frame of exactly maxFrameBytes and refuses one byte more as soon as its header arrives', () => {
    expect(run(multiplexed({ maxFrameBytes: 4 }), [encodeFrame(1, 'abcd')]).code).toBeUndefined();
    const result = multiplexed({ maxFrameBytes: 4 }).push(encodeFrameHeader(1, 5));
    expect(!result.ok && result.error).toMatchObject({ code: 'ERR_STDCOPY_FRAME_TOO_LARGE', length: 5 });
  });

  it('caps frames at 16 MiB by default', () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(16 * 1024 * 1024);
    expect(multiplexed().push(encodeFrameHeader(1, DEFAULT_MAX_FRAME_BYTES)).ok).toBe(true);
    expect(multiplexed().push(encodeFrameHeader(1, DEFAULT_MAX_FRAME_BYTES + 1))).toMatchObject({
      ok: false,
      error: { code: 'ERR_STDCOPY_FRAME_TOO_LARGE' },
    });
  });

  it('reports input that ends inside a header or a payload with ERR_STDCOPY_TRUNCATED', () => {
    const frame = encodeFrame(1, 'abcd');
    for (let at = 1; at < frame.length; at++) {
      const decoder = multiplexed();
      expect(decoder.push(frame.subarray(0, at)).ok).toBe(true);
      expect(decoder.end(), `cut at ${at}`).toMatchObject({
        ok: false,
        error: { code: 'ERR_STDCOPY_TRUNCATED' },
      });
    }
    expect(run(multiplexed(), [frame]).code).toBeUndefined();
  });

  it('refuses input pushed after end() with ERR_STDCOPY_ENDED', () => {
    const decoder = multiplexed();
    expect(decoder.end().ok).toBe(true);
    expect(decoder.push(encodeFrame(1, 'late'))).toMatchObject({
      ok: false,
      error: { code: 'ERR_STDCOPY_ENDED' },
    });
  });

  it('round-trips arbitrary frame lists through arbitrary chunkings', () => {
    fc.assert(
      fc.property(frameListArb, cutsArb, (frames, cuts) => {
        const bytes = Buffer.concat(frames.map((frame) => encodeFrame(frame.stream, frame.payload)));
        const outcome = run(multiplexed(), splitAt(bytes, cuts));
        expect(outcome.code).toBeUndefined();
        expect(outcome.frames).toEqual(
          frames.map(({ stream, payload }) => ({ stream, payload: payload.toString('hex') })),
        );
      }),
    );
  });

  it('never throws on arbitrary bytes, gives only documented codes, and does not depend on chunking', () => {
    fc.assert(
      fc.property(stdcopyNoiseArb, cutsArb, fc.boolean(), (bytes, cuts, strictPadding) => {
        const whole = run(multiplexed({ maxFrameBytes: 64, strictPadding }), [bytes]);
        const chunked = run(multiplexed({ maxFrameBytes: 64, strictPadding }), splitAt(bytes, cuts));
        expect(chunked).toEqual(whole);
        if (whole.code !== undefined) expect(STDCOPY_DECODER_ERROR_CODES).toContain(whole.code);
      }),
    );
  });
});

describe('createFrameDecoder (raw)', () => {
  it('passes TTY bytes through as stdout frames, header-like bytes included', () => {
    const decoder = createFrameDecoder({ mode: 'raw' });
    const bytes = Buffer.from([9, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0a]);
    expect(decoder.push(bytes)).toEqual({ ok: true, frames: [{ stream: 'stdout', payload: bytes }] });
    expect(decoder.push(new Uint8Array(0))).toEqual({ ok: true, frames: [] });
    expect(decoder.end()).toEqual({ ok: true, frames: [] });
  });

  it('refuses input pushed after end() with ERR_STDCOPY_ENDED', () => {
    const decoder = createFrameDecoder({ mode: 'raw' });
    decoder.end();
    expect(decoder.push(Buffer.from('x'))).toMatchObject({ ok: false, error: { code: 'ERR_STDCOPY_ENDED' } });
  });

  it('reproduces the input for any chunking', () => {
    fc.assert(
      fc.property(stdcopyNoiseArb, cutsArb, (bytes, cuts) => {
        const outcome = run(createFrameDecoder({ mode: 'raw' }), splitAt(bytes, cuts));
        expect(outcome.code).toBeUndefined();
        expect(outcome.frames.every((frame) => frame.stream === 'stdout')).toBe(true);
        expect(outcome.frames.map((frame) => frame.payload).join('')).toBe(bytes.toString('hex'));
      }),
    );
  });
});
