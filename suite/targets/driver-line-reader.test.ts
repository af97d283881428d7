import { describe, expect, it } from 'vitest';
import { LineReader } from './driver-line-reader.js';

/** A reader with a small cap that records what it reports. */
function reader(maxLineBytes = 32): { reader: LineReader; lines: string[]; tooLong: string[] } {
  const lines: string[] = [];
  const tooLong: string[] = [];
  return {
    reader: new LineReader({
      maxLineBytes,
      onLine: (text) => lines.push(text),
      onTooLong: (head) => tooLong.push(head),
    }),
    lines,
    tooLong,
  };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('LineReader (docs/driver-protocol.md §2)', () => {
  it('splits at \\n, holds a partial line across chunks and drops the \\r of a \\r\\n ending', () => {
    const { reader: lines, lines: seen } = reader();
    lines.push(bytes('{"a":1}\r\n{"b"'));
    expect(seen).toEqual(['{"a":1}']);
    lines.push(bytes(':2}'));
    lines.push(bytes('\n\n'));
    expect(seen).toEqual(['{"a":1}', '{"b":2}', '']);
  });

  it('keeps a character split across chunks whole', () => {
    const { reader: lines, lines: seen } = reader();
    const line = bytes('"näive"\n');
    const cut = line.indexOf(bytes('ä')) + 1; // between the two bytes of ä
    lines.push(line.subarray(0, cut));
    lines.push(line.subarray(cut));
    expect(seen).toEqual(['"näive"']);
  });

  it('reads bytes that are not UTF-8 as U+FFFD', () => {
    const { reader: lines, lines: seen } = reader();
    lines.push(Buffer.from([0x22, 0xff, 0x22, 0x0a]));
    expect(seen).toEqual(['"\uFFFD"']);
  });

  it('counts the last line without its \\n when the input ends, and nothing after', () => {
    const { reader: lines, lines: seen } = reader();
    lines.push(bytes('one\ntwo'));
    lines.end();
    lines.push(bytes('three\n'));
    expect(seen).toEqual(['one', 'two']);
  });

  it('counts the cap in bytes without the ending: exactly the cap passes, with \\n or \\r\\n', () => {
    const { reader: lines, lines: seen, tooLong } = reader(8);
    lines.push(bytes('éééé\n')); // 8 bytes, 4 characters
    lines.push(bytes('12345678\r\n'));
    expect(seen).toEqual(['éééé', '12345678']);
    expect(tooLong).toEqual([]);
  });

  it('stops at a line one byte over the cap, even one of few characters', () => {
    const { reader: lines, lines: seen, tooLong } = reader(8);
    lines.push(bytes('éééé1\nnext\n'));
    expect(tooLong).toEqual(['éééé1']);
    expect(seen).toEqual([]); // it stopped: the next line is never read
  });

  it('stops as soon as an unfinished line outgrows the cap, arriving in small pieces', () => {
    const { reader: lines, tooLong } = reader(8);
    for (let i = 0; i < 4; i += 1) lines.push(bytes('xx'));
    expect(tooLong).toEqual([]); // 8 bytes: may still end
    lines.push(bytes('x')); // 9: may still be the \r of a \r\n ending
    expect(tooLong).toEqual([]);
    lines.push(bytes('x'));
    expect(tooLong).toEqual(['xxxxxxxxxx']);
  });

  it('counts a last line without its ending against the cap too', () => {
    const { reader: lines, lines: seen, tooLong } = reader(8);
    lines.push(bytes('123456789'));
    lines.end();
    expect(seen).toEqual([]);
    expect(tooLong).toEqual(['123456789']);
  });
});
