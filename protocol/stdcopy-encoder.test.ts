import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeFrameHeader } from './stdcopy-encoder.js';
import type { StreamType } from './stdcopy-frame.js';

describe('encodeFrame', () => {
  it('writes [stream, 0, 0, 0, uint32 BE length] then the payload', () => {
    expect([...encodeFrame(2, Buffer.from('err\n'))]).toEqual([
      2,
      0,
      0,
      0,
      0,
      0,
      0,
      4,
      ...Buffer.from('err\n'),
    ]);
  });

  it('takes stream names as well as numbers', () => {
    expect(encodeFrame('stdin', 'a')[0]).toBe(0);
    expect(encodeFrame('stdout', 'a')[0]).toBe(1);
    expect(encodeFrame('stderr', 'a')[0]).toBe(2);
    expect(encodeFrame('system', 'a')[0]).toBe(3);
  });

  it('encodes a string payload as UTF-8 and counts bytes, not chars', () => {
    const frame = encodeFrame(1, 'é€');
    expect(frame.readUInt32BE(4)).toBe(5);
    expect(frame.subarray(8).toString('utf8')).toBe('é€');
  });

  it('writes a bare header for an empty payload', () => {
    expect([...encodeFrame(1, new Uint8Array(0))]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses a stream outside 0..3 with ERR_STDCOPY_BAD_STREAM', () => {
    expect(() => encodeFrame(4 as StreamType, 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_STDCOPY_BAD_STREAM' }),
    );
    expect(() => encodeFrame('stdbogus' as 'stdout', 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_STDCOPY_BAD_STREAM' }),
    );
  });

  it('refuses a payload longer than 2^32-1 bytes with ERR_STDCOPY_PAYLOAD_TOO_LARGE', () => {
    const huge = new Uint8Array(0);
    Object.defineProperty(huge, 'byteLength', { value: 2 ** 32 });
    expect(() => encodeFrame(1, huge)).toThrow(
      expect.objectContaining({ code: 'ERR_STDCOPY_PAYLOAD_TOO_LARGE' }),
    );
  });
});

describe('encodeFrameHeader', () => {
  it('accepts the largest length the field can hold', () => {
    expect([...encodeFrameHeader(1, 2 ** 32 - 1)]).toEqual([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  });

  it.each([2 ** 32, -1, 1.5, Number.NaN])(
    'refuses length %d with ERR_STDCOPY_PAYLOAD_TOO_LARGE',
    (length) => {
      expect(() => encodeFrameHeader(1, length)).toThrow(
        expect.objectContaining({ code: 'ERR_STDCOPY_PAYLOAD_TOO_LARGE' }),
      );
    },
  );
});
