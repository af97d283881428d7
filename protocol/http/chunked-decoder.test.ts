import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteByByte, cutsArb, splitAt } from '../../suite/support/arbitraries/chunks.js';
import { ChunkedDecoder, MAX_CHUNK_LINE_BYTES, MAX_TRAILER_BYTES } from './chunked-decoder.js';
import { encodeChunk, LAST_CHUNK } from './chunked-encoder.js';

interface Decoded {
  readonly body: Buffer;
  readonly done: boolean;
  readonly rest: Buffer;
  readonly code?: string;
}

/** Feeds `pieces` in order; stops at the first error and reports its code. */
function decodeAll(pieces: readonly Buffer[]): Decoded {
  const decoder = new ChunkedDecoder();
  const out: Buffer[] = [];
  const rest: Buffer[] = [];
  for (const piece of pieces) {
    try {
      const result = decoder.push(piece);
      out.push(...result.data);
      rest.push(result.rest);
    } catch (error) {
      return { body: Buffer.concat(out), done: decoder.done, rest: Buffer.alloc(0), code: codeOf(error) };
    }
  }
  return { body: Buffer.concat(out), done: decoder.done, rest: Buffer.concat(rest) };
}

const codeOf = (error: unknown): string => (error as { code?: string }).code ?? 'none';
const wire = (text: string): Buffer => Buffer.from(text, 'latin1');

/**
 * A chunked encoding of `payloads`; `framing`: the positions of its size lines and CRLFs, where
 * any other byte is a defect; `payload`: the positions of payload bytes. Extension and trailer
 * text is neither (it is dropped whatever it says).
 */
function encodeMarked(
  payloads: readonly Uint8Array[],
  decorate: boolean,
): { bytes: Buffer; framing: number[]; payload: Set<number> } {
  const parts: Buffer[] = [];
  const framing: number[] = [];
  const payload = new Set<number>();
  let at = 0;
  const add = (bytes: Buffer, kind: 'framing' | 'payload' | 'free'): void => {
    for (let i = 0; i < bytes.length; i += 1) {
      if (kind === 'framing') framing.push(at + i);
      else if (kind === 'payload') payload.add(at + i);
    }
    parts.push(bytes);
    at += bytes.length;
  };
  for (const data of payloads) {
    const size = data.length.toString(16);
    add(wire(decorate ? size.toUpperCase() : size), 'framing');
    if (decorate) add(wire(';a=b'), 'free');
    add(wire('\r\n'), 'framing');
    add(Buffer.from(data), 'payload');
    add(wire('\r\n'), 'framing');
  }
  add(wire('0\r\n'), 'framing');
  if (decorate) {
    add(wire('X-Trailer: 1'), 'free');
    add(wire('\r\n'), 'framing');
  }
  add(wire('\r\n'), 'framing');
  return { bytes: Buffer.concat(parts), framing, payload };
}

const payloadsArb = fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 8 });

describe('ChunkedDecoder', () => {
  it('gives the payload back from encodeChunk output split anywhere, and what follows the body', () => {
    fc.assert(
      fc.property(payloadsArb, fc.uint8Array({ maxLength: 16 }), cutsArb, (payloads, after, cuts) => {
        const encoded = Buffer.concat([...payloads.map((p) => encodeChunk(p)), LAST_CHUNK, after]);
        const result = decodeAll(splitAt(encoded, cuts));
        expect(result.code).toBeUndefined();
        expect(result.done).toBe(true);
        expect(result.body.equals(Buffer.concat(payloads))).toBe(true);
        expect(result.rest.equals(Buffer.from(after))).toBe(true);
      }),
    );
  });

  it('reads upper-case sizes, extensions and trailers split anywhere', () => {
    fc.assert(
      fc.property(payloadsArb, cutsArb, (payloads, cuts) => {
        const result = decodeAll(splitAt(encodeMarked(payloads, true).bytes, cuts));
        expect(result).toMatchObject({ done: true });
        expect(result.code).toBeUndefined();
        expect(result.body.equals(Buffer.concat(payloads))).toBe(true);
      }),
    );
  });

  it('never yields a byte at or past a defect, nor reports the body done', () => {
    fc.assert(
      fc.property(payloadsArb, fc.boolean(), fc.nat(), cutsArb, (payloads, decorate, pick, cuts) => {
        const { bytes, framing, payload } = encodeMarked(payloads, decorate);
        const defect = framing[pick % framing.length]!;
        const broken = Buffer.from(bytes);
        broken[defect] = 0x67; // 'g': no hex digit, no CR, no LF
        const result = decodeAll(splitAt(broken, cuts));
        expect(result.done).toBe(false);
        // Only payload bytes that stand before the defect on the wire, in order.
        const before = Buffer.from(
          [...bytes.subarray(0, defect).entries()].filter(([i]) => payload.has(i)).map(([, byte]) => byte),
        );
        expect(before.subarray(0, result.body.length).equals(result.body)).toBe(true);
        expect(result.body.length).toBeLessThanOrEqual(before.length);
      }),
    );
  });

  it('takes a chunk-size line of exactly MAX_CHUNK_LINE_BYTES and refuses one byte more, however split', () => {
    const sizeLine = (length: number): string => `2;${'x'.repeat(length - '2;\r\n'.length)}\r\n`;
    expect(sizeLine(MAX_CHUNK_LINE_BYTES)).toHaveLength(MAX_CHUNK_LINE_BYTES);
    fc.assert(
      fc.property(cutsArb, (cuts) => {
        const fits = decodeAll(splitAt(wire(`${sizeLine(MAX_CHUNK_LINE_BYTES)}{}\r\n0\r\n\r\n`), cuts));
        expect(fits).toMatchObject({ done: true, body: Buffer.from('{}') });
        const over = decodeAll(splitAt(wire(`${sizeLine(MAX_CHUNK_LINE_BYTES + 1)}{}\r\n0\r\n\r\n`), cuts));
        expect(over).toMatchObject({
          done: false,
          code: 'ERR_HTTP_CHUNK_LINE_TOO_LONG',
          body: Buffer.alloc(0),
        });
      }),
      { numRuns: 20 },
    );
  });

  it('refuses a long line before its end arrives', () => {
    const decoder = new ChunkedDecoder();
    expect(() => decoder.push(wire('1'.repeat(MAX_CHUNK_LINE_BYTES + 1)))).toThrow(
      expect.objectContaining({ code: 'ERR_HTTP_CHUNK_LINE_TOO_LONG' }),
    );
  });

  it('takes a trailer section of exactly MAX_TRAILER_BYTES and refuses one byte more', () => {
    // Trailer lines of at most 1000 bytes each (CRLF included), then the empty line.
    const trailerLine = (length: number): string => `X-${'t'.repeat(length - 6)}: \r\n`;
    const trailer = (size: number): string => {
      const lines: string[] = [];
      for (let left = size - 2; left > 0;) {
        const length = left >= 1006 ? 1000 : left;
        lines.push(trailerLine(length));
        left -= length;
      }
      return `${lines.join('')}\r\n`;
    };
    expect(trailer(MAX_TRAILER_BYTES)).toHaveLength(MAX_TRAILER_BYTES);
    const body = (size: number): Buffer => wire(`2\r\nhi\r\n0\r\n${trailer(size)}`);
    expect(decodeAll(byteByByte(body(MAX_TRAILER_BYTES)))).toMatchObject({ done: true, body: wire('hi') });
    expect(decodeAll([body(MAX_TRAILER_BYTES + 1)])).toMatchObject({
      done: false,
      code: 'ERR_HTTP_TRAILER_TOO_LARGE',
    });
  });

  it.each([
    ['a size that is not hexadecimal', 'zz\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_SIZE'],
    ['a negative size', '-2\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_SIZE'],
    ['a 0x prefix', '0x2\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_SIZE'],
    ['whitespace before the size', ' 2\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_SIZE'],
    ['a size of 13 hex digits', '1000000000000\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_SIZE'],
    ['a size overflowing 64 bits', '1ffffffffffffffff\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_SIZE'],
    ['a bare CR in the size line', '2\r;x\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_SIZE'],
    ['an empty size line', '\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_SIZE'],
    ['data longer than its size', '1\r\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_DATA_CRLF'],
    ['data followed by a bare LF', '2\r\n{}\n0\r\n\r\n', 'ERR_HTTP_CHUNK_BARE_LF'],
    ['a size line ending with a bare LF', '2\n{}\r\n0\r\n\r\n', 'ERR_HTTP_CHUNK_BARE_LF'],
    ['a last-chunk line ending with a bare LF', '2\r\n{}\r\n0\n\r\n', 'ERR_HTTP_CHUNK_BARE_LF'],
    ['a trailer line ending with a bare LF', '2\r\n{}\r\n0\r\nX: 1\n\r\n', 'ERR_HTTP_CHUNK_BARE_LF'],
    ['a final line that is a bare LF', '2\r\n{}\r\n0\r\n\n', 'ERR_HTTP_CHUNK_BARE_LF'],
  ])('refuses %s with a stable code, and stays failed', (_name, text, code) => {
    const decoder = new ChunkedDecoder();
    expect(() => decoder.push(wire(text))).toThrow(expect.objectContaining({ code }));
    expect(() => decoder.push(LAST_CHUNK)).toThrow(expect.objectContaining({ code }));
    expect(decodeAll(byteByByte(wire(text)))).toMatchObject({ code, done: false });
  });

  it('accepts whitespace between the size and its extensions, and an extension-only tail', () => {
    expect(decodeAll([wire('2 \t;name="v"\r\n{}\r\n0 \r\n\r\n')])).toMatchObject({
      done: true,
      body: wire('{}'),
    });
  });

  it('ignores input after the body is done and hands it back as the rest', () => {
    const decoder = new ChunkedDecoder();
    expect(decoder.push(wire('2\r\nhi\r\n0\r\n\r\nNEXT'))).toMatchObject({ done: true, rest: wire('NEXT') });
    expect(decoder.push(wire('MORE'))).toEqual({ data: [], rest: wire('MORE'), done: true });
  });
});
