import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  looseResponseHeadBytesArb,
  requestHeadArb,
  responseHeadArb,
} from '../suite/support/arbitraries/http-head.js';
import { buildRequestHead, buildResponseHead } from './http-head-builder.js';
import { parseRequestHead, parseResponseHead } from './http-head-parser.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const response = (text: string) => parseResponseHead(bytes(text));
const errorCode = (result: { ok: boolean; error?: { code: string } }) =>
  result.ok ? undefined : result.error?.code;

/** A response head of exactly `total` bytes, terminating CRLFCRLF included. */
function paddedHead(total: number): Buffer {
  const fixed = 'HTTP/1.1 101 UPGRADED\r\nX-Pad: \r\n\r\n'.length;
  return bytes(`HTTP/1.1 101 UPGRADED\r\nX-Pad: ${'a'.repeat(total - fixed)}\r\n\r\n`);
}

describe('parseResponseHead', () => {
  it('parses a 101 with a free-text reason (UPG-5) and keeps what follows the head (C.3)', () => {
    const result = response('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nextra');
    expect(result).toEqual({
      ok: true,
      head: {
        version: 'HTTP/1.1',
        status: 101,
        reason: 'UPGRADED',
        headers: [
          ['Connection', 'Upgrade'],
          ['Upgrade', 'tcp'],
        ],
      },
      rest: Buffer.from('extra'),
    });
  });

  it('accepts a reason phrase with spaces, an empty one, and none at all', () => {
    expect(response('HTTP/1.1 404 Not  Found \r\n\r\n')).toMatchObject({
      ok: true,
      head: { reason: 'Not  Found ' },
    });
    expect(response('HTTP/1.1 200 \r\n\r\n')).toMatchObject({ ok: true, head: { status: 200, reason: '' } });
    expect(response('HTTP/1.1 200\r\n\r\n')).toMatchObject({ ok: true, head: { status: 200, reason: '' } });
  });

  it.each(['099', '1000', '10', 'abc', '', '+10', '1e2'])(
    'refuses status %j with ERR_HTTP_HEAD_BAD_STATUS (UPG-5)',
    (status) => {
      expect(errorCode(response(`HTTP/1.1 ${status} X\r\n\r\n`))).toBe('ERR_HTTP_HEAD_BAD_STATUS');
    },
  );

  it('accepts the status bounds 100 and 999', () => {
    expect(response('HTTP/1.1 100 C\r\n\r\n').ok).toBe(true);
    expect(response('HTTP/1.1 999 X\r\n\r\n').ok).toBe(true);
  });

  it.each([
    'HTTP/1.1',
    'HTTP/11 200 OK',
    'http/1.1 200 OK',
    'HTTP/1.1\t200 OK',
    'ICY 200 OK',
    'HTTP/1.1 200 O\x01K',
  ])('refuses the status line %j with ERR_HTTP_HEAD_BAD_START_LINE', (line) => {
    expect(errorCode(response(`${line}\r\n\r\n`))).toBe('ERR_HTTP_HEAD_BAD_START_LINE');
  });

  it('keeps duplicate headers in order with their original case', () => {
    const result = response(
      'HTTP/1.1 200 OK\r\nSet-Cookie: a\r\nX: 1\r\nset-cookie: b\r\nSET-COOKIE: c\r\n\r\n',
    );
    expect(result.ok && result.head.headers).toEqual([
      ['Set-Cookie', 'a'],
      ['X', '1'],
      ['set-cookie', 'b'],
      ['SET-COOKIE', 'c'],
    ]);
  });

  it('trims spaces and tabs around values and keeps inner whitespace', () => {
    const result = response('HTTP/1.1 200 OK\r\nA: \t x  y \t\r\nB:\r\nC:   \r\n\r\n');
    expect(result.ok && result.head.headers).toEqual([
      ['A', 'x  y'],
      ['B', ''],
      ['C', ''],
    ]);
  });

  it('keeps obs-text bytes as latin1 chars', () => {
    const result = parseResponseHead(
      Buffer.concat([bytes('HTTP/1.1 200 OK\r\nX: caf'), Buffer.of(0xe9), bytes('\r\n\r\n')]),
    );
    expect(result.ok && result.head.headers).toEqual([['X', 'caf\xe9']]);
  });

  it.each([
    ['obs-fold with a space', 'X: a\r\n b', 'ERR_HTTP_HEAD_OBS_FOLD'],
    ['obs-fold with a tab', 'X: a\r\n\tb', 'ERR_HTTP_HEAD_OBS_FOLD'],
    ['a line without a colon', 'NoColon', 'ERR_HTTP_HEAD_BAD_HEADER'],
    ['an empty name', ': v', 'ERR_HTTP_HEAD_BAD_HEADER'],
    ['a space before the colon', 'Upgrade : tcp', 'ERR_HTTP_HEAD_BAD_HEADER'],
    ['a tab before the colon', 'Upgrade\t: tcp', 'ERR_HTTP_HEAD_BAD_HEADER'],
    ['a non-token name', 'X(y): v', 'ERR_HTTP_HEAD_BAD_HEADER'],
    ['a bare CR in a value', 'X: a\rb', 'ERR_HTTP_HEAD_BAD_HEADER'],
    ['a NUL in a value', 'X: a\0b', 'ERR_HTTP_HEAD_BAD_HEADER'],
  ])('refuses %s', (_case, line, code) => {
    expect(errorCode(response(`HTTP/1.1 200 OK\r\n${line}\r\n\r\n`))).toBe(code);
  });

  it('refuses bare LF line endings with ERR_HTTP_HEAD_BARE_LF', () => {
    expect(errorCode(response('HTTP/1.1 200 OK\nX: y\n\n'))).toBe('ERR_HTTP_HEAD_BARE_LF');
    expect(errorCode(response('HTTP/1.1 200 OK\r\nX: y\n\r\n\r\n'))).toBe('ERR_HTTP_HEAD_BARE_LF');
    expect(errorCode(response('HTTP/1.1 200 OK\r\n\n'))).toBe('ERR_HTTP_HEAD_BARE_LF');
  });

  it('does not look at bytes after the head', () => {
    const result = response('HTTP/1.1 101 UPGRADED\r\n\r\n\n\0\r\nHTTP/1.1 200 OK\r\n\r\n');
    expect(result.ok && result.rest.toString('latin1')).toBe('\n\0\r\nHTTP/1.1 200 OK\r\n\r\n');
  });

  it('reports input without CRLFCRLF with ERR_HTTP_HEAD_INCOMPLETE', () => {
    expect(errorCode(response('HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n'))).toBe('ERR_HTTP_HEAD_INCOMPLETE');
    expect(errorCode(response(''))).toBe('ERR_HTTP_HEAD_INCOMPLETE');
  });

  it('accepts a head of exactly 8192 bytes and refuses 8193 with ERR_HTTP_HEAD_TOO_LARGE (UPG-6)', () => {
    expect(paddedHead(8192).length).toBe(8192);
    expect(parseResponseHead(paddedHead(8192)).ok).toBe(true);
    expect(errorCode(parseResponseHead(paddedHead(8193)))).toBe('ERR_HTTP_HEAD_TOO_LARGE');
  });

  it('honours a smaller maxBytes', () => {
    expect(parseResponseHead(paddedHead(100), { maxBytes: 100 }).ok).toBe(true);
    expect(errorCode(parseResponseHead(paddedHead(101), { maxBytes: 100 }))).toBe('ERR_HTTP_HEAD_TOO_LARGE');
  });

  it('round-trips built heads, bytes after them included', () => {
    fc.assert(
      fc.property(responseHeadArb, fc.uint8Array({ maxLength: 32 }), (head, tail) => {
        const result = parseResponseHead(Buffer.concat([buildResponseHead(head), tail]));
        expect(result).toEqual({ ok: true, head, rest: Buffer.from(tail) });
      }),
    );
  });

  it('is stable under parse, build, parse', () => {
    fc.assert(
      fc.property(looseResponseHeadBytesArb, (loose) => {
        const first = parseResponseHead(loose);
        if (!first.ok) throw first.error;
        const second = parseResponseHead(buildResponseHead(first.head));
        expect(second).toEqual({ ok: true, head: first.head, rest: Buffer.alloc(0) });
      }),
    );
  });
});

describe('parseRequestHead', () => {
  it('parses an upgrade request', () => {
    const result = parseRequestHead(
      bytes('POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\n\r\n{}'),
    );
    expect(result).toEqual({
      ok: true,
      head: {
        method: 'POST',
        target: '/v1.41/exec/abc/start',
        version: 'HTTP/1.1',
        headers: [
          ['Host', 'x'],
          ['Upgrade', 'tcp'],
        ],
      },
      rest: Buffer.from('{}'),
    });
  });

  it.each([
    'GET / HTTP/1.1 x',
    'GET  / HTTP/1.1',
    'GET /',
    'G(T / HTTP/1.1',
    'GET / HTTP/2',
    ' GET / HTTP/1.1',
    'GET /\x7f HTTP/1.1',
  ])('refuses the request line %j with ERR_HTTP_HEAD_BAD_START_LINE', (line) => {
    expect(errorCode(parseRequestHead(bytes(`${line}\r\nHost: x\r\n\r\n`)))).toBe(
      'ERR_HTTP_HEAD_BAD_START_LINE',
    );
  });

  it('refuses a head that starts with an empty line', () => {
    expect(errorCode(parseRequestHead(bytes('\r\nGET / HTTP/1.1\r\n\r\n')))).toBe(
      'ERR_HTTP_HEAD_BAD_START_LINE',
    );
  });

  it('round-trips built heads, bytes after them included', () => {
    fc.assert(
      fc.property(requestHeadArb, fc.uint8Array({ maxLength: 32 }), (head, tail) => {
        const result = parseRequestHead(Buffer.concat([buildRequestHead(head), tail]));
        expect(result).toEqual({ ok: true, head, rest: Buffer.from(tail) });
      }),
    );
  });
});
