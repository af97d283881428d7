import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { findHeadEnd, parseTolerantHead, readTolerantHead } from './tolerant-head.js';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('parseTolerantHead', () => {
  it('reads a status line and every header in order, duplicates and spelling kept', () => {
    const head = parseTolerantHead(
      'response',
      latin1('HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n'),
    );
    expect(head).toMatchObject({
      status: 200,
      reason: 'OK',
      version: 'HTTP/1.1',
      defects: [],
      bareLf: false,
    });
    expect(head.headers).toEqual([
      ['X-A', '1'],
      ['x-a', '2'],
      ['Content-Length', '0'],
    ]);
    expect(head.values('x-a')).toEqual(['1', '2']);
    expect(head.header('content-length')).toBe('0');
  });

  it('accepts an empty reason', () => {
    expect(parseTolerantHead('response', latin1('HTTP/1.1 101\r\n\r\n'))).toMatchObject({
      status: 101,
      reason: '',
      defects: [],
    });
  });

  it('reports bare LF line ends, lines without a colon and a bad status, without throwing', () => {
    const head = parseTolerantHead('response', latin1('HTTP/1.1 2x0 Odd\nno colon here\nX-B: ok\n\n'));
    expect(head.status).toBeUndefined();
    expect(head.bareLf).toBe(true);
    expect(head.headers).toEqual([['X-B', 'ok']]);
    const defects = head.defects.join('\n');
    expect(defects).toMatch(/bare LF/);
    expect(defects).toMatch(/without a name and a colon/);
    expect(defects).toMatch(/three-digit status/);
  });

  it('keeps an obs-fold line as a continuation and reports it', () => {
    const head = parseTolerantHead('request', latin1('GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n'));
    expect(head.values('x-a')).toEqual(['one two']);
    expect(head.defects.join('\n')).toMatch(/obs-fold/);
  });

  it('reads a request line and reports one that is not METHOD target version', () => {
    expect(parseTolerantHead('request', latin1('POST /a?b=1 HTTP/1.1\r\n\r\n'))).toMatchObject({
      method: 'POST',
      target: '/a?b=1',
      version: 'HTTP/1.1',
      defects: [],
    });
    expect(parseTolerantHead('request', latin1('GET  / HTTP/1.1\r\n\r\n')).defects).toHaveLength(1);
  });

  it('never throws on arbitrary bytes', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    expect(() => parseTolerantHead('response', Buffer.concat([bytes, latin1('\r\n\r\n')]))).not.toThrow();
  });
});

describe('findHeadEnd and readTolerantHead', () => {
  it('finds the blank line with CRLF or bare LF, and waits while there is none', () => {
    expect(findHeadEnd(latin1('HTTP/1.1 200 OK\r\n\r\nbody'))).toBe(19);
    expect(findHeadEnd(latin1('HTTP/1.1 200 OK\n\nbody'))).toBe(17);
    expect(findHeadEnd(latin1('HTTP/1.1 200 OK\r\nX: 1\r\n'))).toBeUndefined();
    expect(readTolerantHead('response', latin1('HTTP/1.1 200 OK\r\n'))).toBeUndefined();
    expect(readTolerantHead('response', latin1('HTTP/1.1 204 No Content\r\n\r\nrest'))?.rest.toString()).toBe(
      'rest',
    );
  });
});
