import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHeadReader } from '../../protocol/head-reader.js';
import { getHeaderValues } from '../../protocol/header-list.js';
import { headerListArb } from '../../suite/support/arbitraries/http-head.js';
import { buildGuestRequest } from './build-guest-request.js';

describe('buildGuestRequest (UPG-2)', () => {
  it('always parses back to the same method and target, Host: localhost and the body length', () => {
    fc.assert(
      fc.property(headerListArb, fc.uint8Array({ maxLength: 64 }), (headers, body) => {
        const bytes = buildGuestRequest({
          method: 'POST',
          target: '/v1.41/exec/x/start',
          headers,
          body: Buffer.from(body),
        });
        const state = createHeadReader({ kind: 'request', maxBytes: 1 << 20 }).push(bytes);
        expect(state.state).toBe('done');
        if (state.state !== 'done') return;
        expect(state.head.target).toBe('/v1.41/exec/x/start');
        expect(getHeaderValues(state.head.headers, 'host')).toEqual(['localhost']);
        expect(getHeaderValues(state.head.headers, 'content-length')).toEqual([String(body.length)]);
        expect(getHeaderValues(state.head.headers, 'transfer-encoding')).toEqual([]);
        expect(state.rest.equals(Buffer.from(body))).toBe(true);
      }),
    );
  });

  it('skips fields that cannot be written safely and keeps Connection and Upgrade', () => {
    const bytes = buildGuestRequest({
      method: 'POST',
      target: '/containers/x/attach',
      headers: [
        ['Connection', 'keep-alive, Upgrade'],
        ['Keep-Alive', 'timeout=5'],
        ['X-Evil', 'a\r\nInjected: yes'],
        ['Bad Name', 'v'],
        ['Upgrade', 'tcp'],
      ],
      body: Buffer.alloc(0),
    });
    expect(bytes.toString('latin1')).toBe(
      'POST /containers/x/attach HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('throws a typed error for a target with a space or a method with CR/LF', () => {
    const base = { headers: [], body: Buffer.alloc(0) };
    expect(() => buildGuestRequest({ ...base, method: 'POST', target: '/a b' })).toThrow(
      expect.objectContaining({ code: 'ERR_HTTP_HEAD_INVALID_FIELD' }) as Error,
    );
    expect(() => buildGuestRequest({ ...base, method: 'POST\r\nX: y', target: '/' })).toThrow(
      expect.objectContaining({ code: 'ERR_HTTP_HEAD_INJECTION' }) as Error,
    );
  });
});
