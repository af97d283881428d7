import { describe, expect, it } from 'vitest';
import { connectionHas, connectionTokens, HOP_BY_HOP_FIELDS, stripHopByHop } from './hop-by-hop.js';

describe('hop-by-hop fields (RFC 9110 7.6.1)', () => {
  it('reads the options of every Connection field, lower-cased', () => {
    const headers = [
      ['Connection', 'Upgrade, X-Foo'],
      ['connection', ' , close '],
    ] as const;
    expect([...connectionTokens(headers)]).toEqual(['upgrade', 'x-foo', 'close']);
    expect(connectionHas(headers, 'CLOSE')).toBe(true);
    expect(connectionHas(headers, 'keep-alive')).toBe(false);
  });

  it('keeps end-to-end fields in order with duplicates, and drops the set, the named and the extra', () => {
    expect(
      stripHopByHop(
        [
          ['Host', 'x'],
          ['X-Dup', 'a'],
          ['Connection', 'keep-alive, X-Hop'],
          ['Keep-Alive', 'timeout=5'],
          ['X-Hop', '1'],
          ['Proxy-Authorization', 'secret'],
          ['TE', 'trailers'],
          ['Trailer', 'X-T'],
          ['Transfer-Encoding', 'chunked'],
          ['Upgrade', 'tcp'],
          ['Proxy-Connection', 'close'],
          ['X-Dup', 'b'],
          ['Content-Length', '2'],
        ],
        ['host'],
      ),
    ).toEqual([
      ['X-Dup', 'a'],
      ['X-Dup', 'b'],
      ['Content-Length', '2'],
    ]);
    expect(HOP_BY_HOP_FIELDS.has('proxy-authenticate')).toBe(true);
  });
});
