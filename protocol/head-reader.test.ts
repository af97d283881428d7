import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteByByte, cutsArb, splitAt } from '../suite/support/arbitraries/chunks.js';
import { headNoiseArb, requestHeadArb, responseHeadArb } from '../suite/support/arbitraries/http-head.js';
import { createHeadReader, type HeadReadState, type HeadReader } from './head-reader.js';
import { HTTP_HEAD_PARSE_ERROR_CODES } from './http-head-errors.js';
import { buildRequestHead, buildResponseHead } from './http-head-builder.js';
import { parseRequestHead, parseResponseHead } from './http-head-parser.js';
import type { ResponseHead } from './http-head.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Pushes chunks until the reader leaves `partial`; returns that state and how many chunks it took. */
function feed<H>(
  reader: HeadReader<H>,
  chunks: readonly Uint8Array[],
): { state: HeadReadState<H>; used: number } {
  let used = 0;
  for (const chunk of chunks) {
    used++;
    const state = reader.push(chunk);
    if (state.state !== 'partial') return { state, used };
  }
  return { state: { state: 'partial' }, used };
}

function paddedHead(total: number): Buffer {
  const fixed = 'HTTP/1.1 101 UPGRADED\r\nX-Pad: \r\n\r\n'.length;
  return bytes(`HTTP/1.1 101 UPGRADED\r\nX-Pad: ${'a'.repeat(total - fixed)}\r\n\r\n`);
}

const upgraded = bytes(
  'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nUpgrade: tcp\r\n\r\n',
);
const upgradedHead: ResponseHead = {
  version: 'HTTP/1.1',
  status: 101,
  reason: 'UPGRADED',
  headers: [
    ['Content-Type', 'application/vnd.docker.raw-stream'],
    ['Upgrade', 'tcp'],
  ],
};

describe('createHeadReader', () => {
  it('reads a head split across two chunks at every offset, rest included', () => {
    const wire = Buffer.concat([upgraded, bytes('\x01\0\0\0')]);
    for (let at = 0; at <= wire.length; at++) {
      const reader = createHeadReader({ kind: 'response' });
      const chunks = [wire.subarray(0, at), wire.subarray(at)];
      const { state, used } = feed(reader, chunks);
      expect(state, `split at ${at}`).toMatchObject({ state: 'done', head: upgradedHead });
      // C.4: the bytes after the head come back as `rest` plus the chunks not yet pushed.
      const after = state.state === 'done' ? Buffer.concat([state.rest, ...chunks.slice(used)]) : undefined;
      expect(after, `split at ${at}`).toEqual(bytes('\x01\0\0\0'));
    }
  });

  it('reads a head fed one byte at a time and finishes on the last LF of the terminator', () => {
    const { state, used } = feed(createHeadReader({ kind: 'response' }), byteByByte(upgraded));
    expect(state).toEqual({ state: 'done', head: upgradedHead, rest: Buffer.alloc(0) });
    expect(used).toBe(upgraded.length);
  });

  it('hands back every byte after the terminator, however much arrived with it (C.4)', () => {
    const stream = Buffer.alloc(100_000, 0x61);
    const { state } = feed(createHeadReader({ kind: 'response' }), [
      upgraded.subarray(0, 10),
      Buffer.concat([upgraded.subarray(10), stream]),
    ]);
    expect(state.state === 'done' && state.rest.equals(stream)).toBe(true);
  });

  it('accepts a head of exactly 8192 bytes, in one chunk or byte by byte (UPG-6)', () => {
    const head = paddedHead(8192);
    expect(createHeadReader({ kind: 'response' }).push(head)).toMatchObject({
      state: 'done',
      rest: Buffer.alloc(0),
    });
    const { state, used } = feed(createHeadReader({ kind: 'response' }), byteByByte(head));
    expect(state.state).toBe('done');
    expect(used).toBe(8192);
  });

  it('accepts an 8192-byte head followed by more bytes in the same chunk', () => {
    const state = createHeadReader({ kind: 'response' }).push(
      Buffer.concat([paddedHead(8192), bytes('tail')]),
    );
    expect(state).toMatchObject({ state: 'done', rest: bytes('tail') });
  });

  it('refuses a head of 8193 bytes with ERR_HTTP_HEAD_TOO_LARGE, in one chunk or byte by byte', () => {
    expect(createHeadReader({ kind: 'response' }).push(paddedHead(8193))).toMatchObject({
      state: 'error',
      error: { code: 'ERR_HTTP_HEAD_TOO_LARGE' },
    });
    const { state, used } = feed(createHeadReader({ kind: 'response' }), byteByByte(paddedHead(8193)));
    expect(state).toMatchObject({ state: 'error', error: { code: 'ERR_HTTP_HEAD_TOO_LARGE' } });
    expect(used).toBe(8193);
  });

  it('refuses as soon as 8193 bytes have arrived without a terminator', () => {
    const reader = createHeadReader({ kind: 'response' });
    const prefix = bytes(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(8192 - 20)}`);
    expect(prefix.length).toBe(8192);
    expect(reader.push(prefix)).toEqual({ state: 'partial' });
    expect(reader.push(bytes('a'))).toMatchObject({
      state: 'error',
      error: { code: 'ERR_HTTP_HEAD_TOO_LARGE' },
    });
    const big = createHeadReader({ kind: 'response' }).push(Buffer.alloc(1 << 20, 0x61));
    expect(big).toMatchObject({ state: 'error', error: { code: 'ERR_HTTP_HEAD_TOO_LARGE' } });
  });

  it('refuses a bare LF as soon as it arrives', () => {
    const reader = createHeadReader({ kind: 'response' });
    expect(reader.push(bytes('HTTP/1.1 200 OK\r'))).toEqual({ state: 'partial' });
    expect(reader.push(bytes('\nX: y\n'))).toMatchObject({
      state: 'error',
      error: { code: 'ERR_HTTP_HEAD_BARE_LF', offset: 21 },
    });
  });

  it('reports end() before the terminator with ERR_HTTP_HEAD_INCOMPLETE', () => {
    const reader = createHeadReader({ kind: 'response' });
    reader.push(upgraded.subarray(0, upgraded.length - 1));
    expect(reader.end()).toMatchObject({
      state: 'error',
      error: { code: 'ERR_HTTP_HEAD_INCOMPLETE', received: upgraded.length - 1 },
    });
  });

  it('refuses input once done with ERR_HTTP_HEAD_READER_CLOSED', () => {
    const reader = createHeadReader({ kind: 'response' });
    expect(reader.push(upgraded).state).toBe('done');
    expect(reader.push(bytes('more'))).toMatchObject({
      state: 'error',
      error: { code: 'ERR_HTTP_HEAD_READER_CLOSED' },
    });
    expect(reader.end()).toMatchObject({ state: 'error', error: { code: 'ERR_HTTP_HEAD_READER_CLOSED' } });
  });

  it('stays failed after an error', () => {
    const reader = createHeadReader({ kind: 'response' });
    const first = reader.push(bytes('HTTP/1.1 20 OK\r\n\r\n'));
    expect(first).toMatchObject({ state: 'error', error: { code: 'ERR_HTTP_HEAD_BAD_STATUS' } });
    expect(reader.push(upgraded)).toBe(first);
    expect(reader.end()).toBe(first);
  });

  it('reads request heads built by buildRequestHead through any chunking', () => {
    fc.assert(
      fc.property(requestHeadArb, fc.uint8Array({ maxLength: 16 }), cutsArb, (head, tail, cuts) => {
        const wire = Buffer.concat([buildRequestHead(head), tail]);
        const { state } = feed(createHeadReader({ kind: 'request' }), splitAt(wire, cuts));
        if (state.state !== 'done') throw new Error(`expected done, got ${JSON.stringify(state)}`);
        expect(state.head).toEqual(head);
        // C.4: the tail arrives partly in `rest` and partly in the chunks pushed after done.
        expect(state.rest.length).toBeLessThanOrEqual(tail.length);
        expect(Buffer.from(tail).subarray(0, state.rest.length)).toEqual(state.rest);
      }),
    );
  });

  it('reads response heads through any chunking, rest exactly the bytes after the head in the last chunk', () => {
    fc.assert(
      fc.property(responseHeadArb, fc.uint8Array({ maxLength: 16 }), cutsArb, (head, tail, cuts) => {
        const built = buildResponseHead(head);
        const chunks = splitAt(Buffer.concat([built, tail]), cuts);
        const { state, used } = feed(createHeadReader({ kind: 'response' }), chunks);
        if (state.state !== 'done') throw new Error(`expected done, got ${JSON.stringify(state)}`);
        expect(state.head).toEqual(head);
        const after = Buffer.concat([state.rest, ...chunks.slice(used)]);
        expect(after).toEqual(Buffer.from(tail));
      }),
    );
  });

  it('never throws on arbitrary bytes, gives only documented codes, and does not depend on chunking', () => {
    fc.assert(
      fc.property(
        headNoiseArb,
        cutsArb,
        fc.integer({ min: 4, max: 400 }),
        fc.constantFrom('request', 'response'),
        (noise, cuts, maxBytes, kind) => {
          const reader = createHeadReader({ kind, maxBytes });
          const chunks = splitAt(noise, cuts);
          const { state, used } = feed(reader, chunks);
          const final = state.state === 'partial' ? reader.end() : state;
          const whole = (kind === 'request' ? parseRequestHead : parseResponseHead)(noise, { maxBytes });
          if (final.state === 'error') {
            expect(HTTP_HEAD_PARSE_ERROR_CODES).toContain(final.error.code);
            expect(whole).toMatchObject({ ok: false, error: { code: final.error.code } });
          } else {
            const rest = Buffer.concat([final.rest, ...chunks.slice(used)]);
            expect(whole).toEqual({ ok: true, head: final.head, rest });
          }
        },
      ),
    );
  });
});
