import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestHeadArb } from '../suite/support/arbitraries/http-head.js';
import { buildRequestHead, buildResponseHead } from './http-head-builder.js';
import type { RequestHead, ResponseHead } from './http-head.js';

const request: RequestHead = {
  method: 'POST',
  target: '/v1.41/containers/abc/attach?stream=1',
  version: 'HTTP/1.1',
  headers: [
    ['Host', 'localhost'],
    ['Connection', 'Upgrade'],
    ['Upgrade', 'tcp'],
  ],
};

const response: ResponseHead = {
  version: 'HTTP/1.1',
  status: 101,
  reason: 'UPGRADED',
  headers: [
    ['Content-Type', 'application/vnd.docker.raw-stream'],
    ['Connection', 'Upgrade'],
    ['Upgrade', 'tcp'],
  ],
};

const INJECTION = { code: 'ERR_HTTP_HEAD_INJECTION' };
const INVALID = { code: 'ERR_HTTP_HEAD_INVALID_FIELD' };

describe('buildRequestHead', () => {
  it('writes the request line, the headers in order and the blank line', () => {
    expect(buildRequestHead(request).toString('latin1')).toBe(
      'POST /v1.41/containers/abc/attach?stream=1 HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
  });

  it('keeps duplicate headers and their case', () => {
    const head = {
      ...request,
      headers: [
        ['X-A', '1'],
        ['x-a', '2'],
        ['X-A', '3'],
      ] as const,
    };
    expect(buildRequestHead(head).toString('latin1')).toBe(
      'POST /v1.41/containers/abc/attach?stream=1 HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\nX-A: 3\r\n\r\n',
    );
  });

  it('writes obs-text bytes one per char', () => {
    const bytes = buildRequestHead({ ...request, headers: [['X', 'caf\xe9']] });
    expect(bytes.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a]))).toBe(true);
  });

  it.each([
    ['method', { method: 'GET\r\nX: y' }],
    ['target', { target: '/a\nb' }],
    ['target with NUL', { target: '/a\0b' }],
    ['version', { version: 'HTTP/1.1\r\n' }],
    ['header name', { headers: [['X\r\nEvil', 'v']] }],
    ['header value CRLF', { headers: [['X', 'v\r\nEvil: 1']] }],
    ['header value LF', { headers: [['X', 'v\nEvil: 1']] }],
    ['header value CR', { headers: [['X', 'v\rEvil: 1']] }],
    ['header value NUL', { headers: [['X', 'v\0']] }],
  ])('refuses CR, LF or NUL in the %s with ERR_HTTP_HEAD_INJECTION', (_field, patch) => {
    expect(() => buildRequestHead({ ...request, ...patch } as RequestHead)).toThrow(
      expect.objectContaining(INJECTION),
    );
  });

  it.each([
    ['a method with a space', { method: 'GE T' }],
    ['an empty method', { method: '' }],
    ['a target with a space', { target: '/a b' }],
    ['an empty target', { target: '' }],
    ['a bad version', { version: 'HTTP/1.10' }],
    ['a header name with a colon', { headers: [['X:Y', 'v']] }],
    ['a header name with a trailing space', { headers: [['X ', 'v']] }],
    ['an empty header name', { headers: [['', 'v']] }],
    ['a header name with a non-token char', { headers: [['X(y)', 'v']] }],
    ['a header value with a leading space', { headers: [['X', ' v']] }],
    ['a header value with a trailing tab', { headers: [['X', 'v\t']] }],
    ['a header value with a control char', { headers: [['X', 'a\x01b']] }],
    ['a header value with DEL', { headers: [['X', 'a\x7fb']] }],
    ['a header value beyond latin1', { headers: [['X', 'snow☃']] }],
  ])('refuses %s with ERR_HTTP_HEAD_INVALID_FIELD', (_case, patch) => {
    expect(() => buildRequestHead({ ...request, ...patch } as RequestHead)).toThrow(
      expect.objectContaining(INVALID),
    );
  });
});

describe('buildResponseHead', () => {
  it('writes "HTTP/1.1 101 UPGRADED" and the headers (DKR-19)', () => {
    expect(buildResponseHead(response).toString('latin1')).toBe(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
  });

  it('keeps the space before an empty reason phrase', () => {
    expect(buildResponseHead({ version: 'HTTP/1.1', status: 200, reason: '', headers: [] }).toString()).toBe(
      'HTTP/1.1 200 \r\n\r\n',
    );
  });

  it.each([99, 1000, 101.5, Number.NaN])('refuses status %d with ERR_HTTP_HEAD_INVALID_FIELD', (status) => {
    expect(() => buildResponseHead({ ...response, status })).toThrow(expect.objectContaining(INVALID));
  });

  it('refuses CR or LF in the reason phrase with ERR_HTTP_HEAD_INJECTION', () => {
    expect(() => buildResponseHead({ ...response, reason: 'OK\r\nSet-Cookie: x' })).toThrow(
      expect.objectContaining(INJECTION),
    );
  });

  it('refuses a control char in the reason phrase with ERR_HTTP_HEAD_INVALID_FIELD', () => {
    expect(() => buildResponseHead({ ...response, reason: 'O\x07K' })).toThrow(
      expect.objectContaining(INVALID),
    );
  });
});

describe('buildRequestHead injection', () => {
  it('refuses CR, LF or NUL spliced anywhere into any field', () => {
    fc.assert(
      fc.property(
        requestHeadArb.filter((head) => head.headers.length > 0),
        fc.constantFrom('\r', '\n', '\0', '\r\n'),
        fc.constantFrom('method', 'target', 'name', 'value'),
        fc.nat(),
        fc.nat(),
        (head, bad, field, which, at) => {
          const splice = (text: string) =>
            text.slice(0, at % (text.length + 1)) + bad + text.slice(at % (text.length + 1));
          const index = which % head.headers.length;
          const headers = head.headers.map(([name, value], i) =>
            i !== index
              ? ([name, value] as const)
              : field === 'name'
                ? ([splice(name), value] as const)
                : ([name, field === 'value' ? splice(value) : value] as const),
          );
          const poisoned: RequestHead = {
            ...head,
            method: field === 'method' ? splice(head.method) : head.method,
            target: field === 'target' ? splice(head.target) : head.target,
            headers,
          };
          expect(() => buildRequestHead(poisoned)).toThrow(expect.objectContaining(INJECTION));
        },
      ),
    );
  });
});
