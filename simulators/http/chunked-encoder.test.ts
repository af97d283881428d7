import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { encodeChunk, LAST_CHUNK } from './chunked-encoder.js';

describe('encodeChunk', () => {
  it('frames data with its hex size and encodes no data to nothing', () => {
    expect(encodeChunk(Buffer.alloc(26, 0x61)).toString('latin1')).toBe(`1a\r\n${'a'.repeat(26)}\r\n`);
    expect(encodeChunk(new Uint8Array(0)).length).toBe(0);
    expect(LAST_CHUNK.toString('latin1')).toBe('0\r\n\r\n');
  });
});
