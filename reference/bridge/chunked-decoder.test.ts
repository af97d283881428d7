import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutsArb, splitAt } from '../../suite/support/arbitraries/chunks.js';
import { createChunkedDecoder, encodeChunk, LAST_CHUNK } from './chunked-decoder.js';

function decodeAll(pieces: readonly Buffer[]): { body: Buffer; done: boolean; error?: string } {
  const decoder = createChunkedDecoder();
  const out: Buffer[] = [];
  let done = false;
  for (const piece of pieces) {
    const result = decoder.push(piece);
    if (!result.ok) return { body: Buffer.concat(out), done, error: result.reason };
    out.push(...result.data);
    done = result.done;
  }
  return { body: Buffer.concat(out), done };
}

describe('createChunkedDecoder', () => {
  it('decodes any chunking split at any points, with extensions and trailers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 8 }),
        fc.boolean(),
        cutsArb,
        (payloads, decorate, cuts) => {
          const encoded = Buffer.concat([
            ...payloads.map((payload) =>
              decorate
                ? Buffer.concat([
                    Buffer.from(`${payload.length.toString(16).toUpperCase()};a=b\r\n`),
                    payload,
                    Buffer.from('\r\n'),
                  ])
                : encodeChunk(Buffer.from(payload)),
            ),
            Buffer.from(decorate ? '0\r\nX-Trailer: 1\r\n\r\n' : '0\r\n\r\n'),
          ]);
          const result = decodeAll(splitAt(encoded, cuts));
          expect(result.error).toBeUndefined();
          expect(result.done).toBe(true);
          expect(result.body.equals(Buffer.concat(payloads))).toBe(true);
        },
      ),
    );
  });

  it('reports malformed input and stays failed', () => {
    for (const bad of ['zz\r\n', '3\r\nabcX\r\n', '3\nabc\r\n', `${'1'.repeat(9000)}\r\n`]) {
      const decoder = createChunkedDecoder();
      const first = decoder.push(Buffer.from(bad));
      expect(first.ok, bad.slice(0, 20)).toBe(false);
      expect(decoder.push(Buffer.from('0\r\n\r\n')).ok).toBe(false);
    }
  });

  it('stops at the last chunk and encodes nothing for an empty payload', () => {
    expect(decodeAll([Buffer.from('2\r\nhi\r\n'), LAST_CHUNK, Buffer.from('garbage')])).toEqual({
      body: Buffer.from('hi'),
      done: true,
    });
    expect(encodeChunk(Buffer.alloc(0)).length).toBe(0);
  });
});
