import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { encodeChunk, LAST_CHUNK } from './chunked-encoder.js';

describe('encodeChunk', () => {
  it('writes the size in lower-case hex, CRLF, the payload and CRLF', () => {
    expect(encodeChunk(Buffer.alloc(26, 'a')).toString('latin1')).toBe(`1a\r\n${'a'.repeat(26)}\r\n`);
  });

  it('encodes an empty payload as nothing, never as the last chunk', () => {
    expect(encodeChunk(Buffer.alloc(0))).toHaveLength(0);
    expect(LAST_CHUNK.toString('latin1')).toBe('0\r\n\r\n');
  });
});
