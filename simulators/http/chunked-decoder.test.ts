import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteByByte, cutsArb, splitAt } from '../../suite/support/arbitraries/chunks.js';
import { createChunkedDecoder, MAX_CHUNK_LINE_BYTES, type ChunkedDecoder } from './chunked-decoder.js';
import { encodeChunk, LAST_CHUNK } from './chunked-encoder.js';

interface Decoded {
  readonly data: string;
  readonly done: boolean;
  readonly chunks: number;
  /** Everything the decoder handed back after the body, over every push from `done` on. */
  readonly rest: string;
  readonly code: string | undefined;
}

/** Pushes every piece in turn, like a reader would; stops at the first error. */
function decode(pieces: readonly Buffer[], decoder: ChunkedDecoder = createChunkedDecoder()): Decoded {
  const data: Buffer[] = [];
  const rest: Buffer[] = [];
  let code: string | undefined;
  for (const piece of pieces) {
    try {
      const progress = decoder.push(piece);
      data.push(progress.data);
      rest.push(progress.rest);
      if (!progress.done) expect(progress.rest.length).toBe(0);
    } catch (error) {
      code = (error as { code?: string }).code;
      break;
    }
  }
  return {
    data: Buffer.concat(data).toString('latin1'),
    done: decoder.done,
    chunks: decoder.chunks,
    rest: Buffer.concat(rest).toString('latin1'),
    code,
  };
}

/** A chunked body of `payloads`, each size line with or without an extension, then trailers. */
function encodeBody(
  payloads: readonly Uint8Array[],
  extensions: boolean,
  trailers: readonly string[],
): Buffer {
  const parts = payloads.map((payload, index) => {
    const chunk = encodeChunk(payload);
    if (!extensions || chunk.length === 0) return chunk;
    const sizeEnd = chunk.indexOf('\r\n');
    const extension = Buffer.from(index % 2 === 0 ? ';name=value' : ' \t;x', 'latin1');
    return Buffer.concat([chunk.subarray(0, sizeEnd), extension, chunk.subarray(sizeEnd)]);
  });
  if (trailers.length === 0) return Buffer.concat([...parts, LAST_CHUNK]);
  const trailerLines = trailers.map((line) => `${line}\r\n`).join('');
  return Buffer.concat([...parts, Buffer.from(`0\r\n${trailerLines}\r\n`, 'latin1')]);
}

const payloadsArb = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });
const trailersArb = fc.array(fc.constantFrom('X-Trailer: 1', 'Expires: never', 'A:'), { maxLength: 3 });
const suffixArb = fc.constantFrom('', 'GET /next HTTP/1.1\r\n\r\n', '\r\n', '0\r\n\r\n');

describe('createChunkedDecoder', () => {
  it('decodes a body split inside sizes, data and CRLFs, and hands back what follows', () => {
    const wire = Buffer.from('5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT');
    const decoder = createChunkedDecoder();
    const data: Buffer[] = [];
    let last = decoder.push(Buffer.alloc(0));
    for (let at = 0; at < wire.length && !last.done; at += 3) {
      last = decoder.push(wire.subarray(at, at + 3));
      data.push(last.data);
    }
    expect(Buffer.concat(data).toString()).toBe('hello, world');
    expect(last.done).toBe(true);
    expect(decoder.chunks).toBe(2);
    expect(last.rest.toString()).toBe('N');
  });

  it('decodes any chunked body the same however it is split (fast-check)', () => {
    fc.assert(
      fc.property(
        payloadsArb,
        fc.boolean(),
        trailersArb,
        suffixArb,
        cutsArb,
        (payloads, extensions, trailers, suffix, cuts) => {
          const wire = Buffer.concat([
            encodeBody(payloads, extensions, trailers),
            Buffer.from(suffix, 'latin1'),
          ]);
          const expected: Decoded = {
            data: Buffer.concat(payloads).toString('latin1'),
            done: true,
            chunks: payloads.filter((payload) => payload.length > 0).length,
            rest: suffix,
            code: undefined,
          };
          expect(decode(splitAt(wire, cuts))).toEqual(expected);
          expect(decode([wire])).toEqual(expected);
        },
      ),
    );
  }, 30_000); // a property test: about 1 s alone, several on a busy machine

  it('decodes a body fed one byte at a time', () => {
    const wire = encodeBody([Buffer.from('abc'), Buffer.alloc(20, 0x0d)], true, ['T: 1']);
    expect(decode(byteByByte(wire))).toMatchObject({ data: 'abc' + '\r'.repeat(20), done: true, chunks: 2 });
  });

  it('is not done while the last chunk or its trailer section is still open', () => {
    expect(decode([Buffer.from('3\r\nabc\r\n0\r\n')])).toMatchObject({ data: 'abc', done: false });
    expect(decode([Buffer.from('3\r\nabc\r\n0\r\nT: 1\r\n')])).toMatchObject({ done: false });
  });

  it('hands every push after the end back whole', () => {
    const decoder = createChunkedDecoder();
    expect(decoder.push(Buffer.from('0\r\n\r\n')).done).toBe(true);
    const after = decoder.push(Buffer.from('more'));
    expect(after).toMatchObject({ done: true });
    expect(after.data.length).toBe(0);
    expect(after.rest.toString()).toBe('more');
  });

  it.each([
    ['a size that is not hex', 'zz\r\n'],
    ['an empty size line', '\r\n'],
    ['whitespace before the size', ' 5\r\nhello\r\n'],
    ['a size of 16 hex digits', `${'1'.padStart(16, '0')}\r\n`],
    ['data not followed by CRLF', '3\r\nabcXY'],
    ['a size line longer than the limit', `1;${'x'.repeat(MAX_CHUNK_LINE_BYTES)}\r\n`],
    ['a size line that never ends', '1'.repeat(MAX_CHUNK_LINE_BYTES + 2)],
    ['a trailer line longer than the limit', `0\r\n${'x'.repeat(MAX_CHUNK_LINE_BYTES + 1)}\r\n`],
  ])('rejects %s with ERR_SIM_CHUNKED_BODY, however it is split', (_, wire) => {
    const bytes = Buffer.from(wire, 'latin1');
    expect(decode([bytes]).code).toBe('ERR_SIM_CHUNKED_BODY');
    fc.assert(
      fc.property(cutsArb, (cuts) => {
        expect(decode(splitAt(bytes, cuts)).code).toBe('ERR_SIM_CHUNKED_BODY');
      }),
      { numRuns: 20 },
    );
  });

  it('accepts a line of exactly the limit, even when its CRLF comes in two pushes', () => {
    const line = `1;${'x'.repeat(MAX_CHUNK_LINE_BYTES - 2)}`;
    const wire = Buffer.from(`${line}\r\nz\r\n0\r\n\r\n`, 'latin1');
    const splitInCrlf = [wire.subarray(0, line.length + 1), wire.subarray(line.length + 1)];
    expect(decode(splitInCrlf)).toMatchObject({ data: 'z', done: true, code: undefined });
  });

  it('keeps failing once it has failed', () => {
    const decoder = createChunkedDecoder();
    expect(() => decoder.push(Buffer.from('zz\r\n'))).toThrow(
      expect.objectContaining({ code: 'ERR_SIM_CHUNKED_BODY' }),
    );
    expect(() => decoder.push(Buffer.from('0\r\n\r\n'))).toThrow(
      expect.objectContaining({ code: 'ERR_SIM_CHUNKED_BODY' }),
    );
  });
});
