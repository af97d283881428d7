import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './line-splitter.js';

function split(chunks: readonly (string | Uint8Array)[]): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe('createLineSplitter', () => {
  it('reassembles a line split across chunks', () => {
    expect(split(['hel', 'lo\nwor', 'ld\n'])).toEqual(['hello', 'world']);
  });

  it('drops one CR before LF and keeps empty lines', () => {
    expect(split(['a\r\n\nb\r\r\n'])).toEqual(['a', '', 'b\r']);
  });

  it('flushes a final partial line once, at the end', () => {
    expect(split(['tail'])).toEqual(['tail']);
    expect(split([])).toEqual([]);
  });

  it('keeps a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('é\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual(['é']);
  });

  it('decodes invalid UTF-8 lossily', () => {
    expect(split([Buffer.from([0xff, 0x0a])])).toEqual(['\ufffd']);
  });

  it('gives the same lines however the text is chunked', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', 'é') }),
        fc.array(fc.nat()),
        (text, cuts) => {
          const bytes = Buffer.from(text);
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const point of points) {
            chunks.push(bytes.subarray(at, point));
            at = point;
          }
          chunks.push(bytes.subarray(at));
          expect(split(chunks)).toEqual(split([bytes]));
        },
      ),
    );
  });
});
