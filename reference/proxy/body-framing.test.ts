import { describe, expect, it } from 'vitest';
import { ChunkedDecoder, requestFraming, responseFraming } from './body-framing.js';
import { capApiVersion, guestRequestHeaders } from './forwarded-headers.js';

describe('ChunkedDecoder', () => {
  it('decodes a body split at every byte and hands back what follows it', () => {
    const wire = Buffer.from('5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT');
    const decoder = new ChunkedDecoder();
    const data: Buffer[] = [];
    let rest = Buffer.alloc(0);
    for (let at = 0; at < wire.length && !decoder.done; at += 1) {
      const out = decoder.push(wire.subarray(at, at + 1));
      data.push(...out.data);
      if (decoder.done) rest = Buffer.concat([out.rest, wire.subarray(at + 1)]);
    }
    expect(Buffer.concat(data).toString()).toBe('hello world');
    expect(rest.toString()).toBe('NEXT');
  });

  it('refuses a bad chunk size', () => {
    expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'))).toThrow(/chunk size/);
  });
});

describe('framing', () => {
  it('reads request and response framing as RFC 9112 says', () => {
    expect(requestFraming([['Transfer-Encoding', 'chunked']])).toEqual({ kind: 'chunked' });
    expect(requestFraming([['Content-Length', '0']])).toEqual({ kind: 'none' });
    expect(() => requestFraming([['Content-Length', 'x']])).toThrow(/Content-Length/);
    expect(responseFraming('HEAD', 200, [['Content-Length', '10']])).toEqual({ kind: 'none' });
    expect(responseFraming('GET', 204, [])).toEqual({ kind: 'none' });
    expect(responseFraming('POST', 200, [])).toEqual({ kind: 'close' });
  });

  it('refuses a request with both Transfer-Encoding and Content-Length (BAD-4)', () => {
    for (const headers of [
      [
        ['Content-Length', '4'],
        ['Transfer-Encoding', 'chunked'],
      ],
      [
        ['Transfer-Encoding', 'chunked'],
        ['Content-Length', '0'],
      ],
    ] as [string, string][][]) {
      expect(() => requestFraming(headers)).toThrow(
        expect.objectContaining({ code: 'ERR_PROXY_BODY_FRAMING' }),
      );
    }
    expect(
      requestFraming([
        ['Transfer-Encoding', 'identity'],
        ['Content-Length', '2'],
      ]),
    ).toEqual({
      kind: 'length',
      length: 2,
    });
  });
});

describe('forwarded headers', () => {
  it('caps Api-Version at 1.41 and rewrites Host', () => {
    expect(capApiVersion('1.45')).toBe('1.41');
    expect(capApiVersion('1.40')).toBe('1.40');
    expect(capApiVersion('2.0')).toBe('1.41');
    expect(
      guestRequestHeaders([
        ['Host', 'api.moby.localhost'],
        ['Connection', 'X-A'],
        ['X-A', '1'],
        ['Expect', '100-continue'],
        ['X-Registry-Auth', 'e30='],
      ]),
    ).toEqual([
      ['Host', 'localhost'],
      ['X-Registry-Auth', 'e30='],
    ]);
  });
});
