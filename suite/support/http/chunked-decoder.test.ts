import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutsArb, splitAt } from '../arbitraries/chunks.js';
import { ChunkedDecoder, decodeChunked, encodeChunked } from './chunked-decoder.js';

/** Encodes `pieces` as one chunk each (empty pieces skipped: a 0 chunk is the last one). */
function encodePieces(pieces: readonly Uint8Array[], trailer = ''): Buffer {
  const parts: Buffer[] = [];
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    parts.push(
      Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'),
      Buffer.from(piece),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`0\r\n${trailer}\r\n`, 'latin1'));
  return Buffer.concat(parts);
}

describe('ChunkedDecoder', () => {
  it('decodes any chunked body through any split of its bytes, leaving what follows in rest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
        fc.uint8Array({ maxLength: 16 }),
        cutsArb,
        (pieces, tail, cuts) => {
          const wire = Buffer.concat([encodePieces(pieces), tail]);
          const decoder = new ChunkedDecoder();
          for (const chunk of splitAt(wire, cuts)) decoder.push(chunk);
          expect(decoder.done).toBe(true);
          expect(decoder.defects).toEqual([]);
          expect(decoder.body()).toEqual(Buffer.concat(pieces.map((piece) => Buffer.from(piece))));
          expect(decoder.rest()).toEqual(Buffer.from(tail));
        },
      ),
    );
  });

  it('reports a body cut short at any point instead of throwing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 32 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (pieces, cut) => {
          const wire = encodePieces(pieces);
          const truncated = wire.subarray(0, cut % wire.length);
          const decoded = decodeChunked(truncated);
          expect(decoded.done).toBe(false);
          expect(decoded.defects.length).toBeGreaterThan(0);
          expect(decoded.defects.at(-1)).toMatch(/ended/);
        },
      ),
    );
  });

  it('tolerates bare LF line ends and reports them once', () => {
    const decoded = decodeChunked(Buffer.from('3\nabc\n0\n\n', 'latin1'));
    expect(decoded.done).toBe(true);
    expect(decoded.body.toString('latin1')).toBe('abc');
    expect(decoded.defects).toHaveLength(1);
    expect(decoded.defects[0]).toMatch(/bare LF/);
  });

  it('stops at a size line without a hex size, keeping that line in rest', () => {
    const decoded = decodeChunked(Buffer.from('3\r\nabc\r\nzz\r\nmore', 'latin1'));
    expect(decoded.broken).toBe(true);
    expect(decoded.done).toBe(false);
    expect(decoded.body.toString('latin1')).toBe('abc');
    expect(decoded.rest.toString('latin1')).toBe('zz\r\nmore');
    expect(decoded.defects.join(';')).toMatch(/without a hex size/);
  });

  it('refuses a size of more than 15 hex digits', () => {
    const decoded = decodeChunked(Buffer.from('1000000000000000\r\nx', 'latin1'));
    expect(decoded.broken).toBe(true);
  });

  it('reports junk after a size and data not followed by CRLF, and goes on', () => {
    const decoded = decodeChunked(Buffer.from('2 junk\r\nabXX\r\n0\r\n\r\n', 'latin1'));
    expect(decoded.done).toBe(true);
    expect(decoded.body.toString('latin1')).toBe('ab');
    expect(decoded.defects.join(';')).toMatch(/junk after the chunk size/);
    expect(decoded.defects.join(';')).toMatch(/not followed by CRLF/);
  });

  it('keeps chunk extensions silent and trailers in order', () => {
    const decoded = decodeChunked(
      Buffer.from('2;name=v\r\nab\r\n0\r\nX-One: 1\r\nX-Two: 2\r\n\r\n', 'latin1'),
    );
    expect(decoded.defects).toEqual([]);
    expect(decoded.trailers).toEqual([
      ['X-One', '1'],
      ['X-Two', '2'],
    ]);
  });

  it('does not call a body unfinished before the input ends, unless told it ended', () => {
    expect(decodeChunked(Buffer.from('3\r\nab', 'latin1'), { ended: false }).defects).toEqual([]);
  });
});

describe('encodeChunked', () => {
  it('round-trips through the decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (body) => {
        const decoded = decodeChunked(encodeChunked(body));
        expect(decoded.done).toBe(true);
        expect(decoded.body).toEqual(Buffer.from(body));
      }),
    );
  });
});
