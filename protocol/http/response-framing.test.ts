import { describe, expect, it } from 'vitest';
import type { HeaderList } from '../header-list.js';
import { responseFraming } from './response-framing.js';

describe('responseFraming (RFC 9112 6.3)', () => {
  it.each<[string, string, number, HeaderList, unknown]>([
    ['a HEAD answer, whatever its length', 'HEAD', 200, [['Content-Length', '10']], { kind: 'none' }],
    ['a 1xx', 'GET', 103, [['Content-Length', '10']], { kind: 'none' }],
    ['a 204', 'GET', 204, [['Transfer-Encoding', 'chunked']], { kind: 'none' }],
    ['a 304', 'GET', 304, [['Content-Length', '10']], { kind: 'none' }],
    ['Content-Length: 0', 'GET', 200, [['Content-Length', '0']], { kind: 'none' }],
    ['a length', 'POST', 201, [['Content-Length', '88']], { kind: 'length', length: 88 }],
    ['chunked', 'GET', 200, [['Transfer-Encoding', 'chunked']], { kind: 'chunked' }],
    [
      'chunked beside a bad length',
      'GET',
      200,
      [
        ['Transfer-Encoding', 'chunked'],
        ['Content-Length', 'x'],
      ],
      { kind: 'chunked' },
    ],
    [
      'a coding that does not end with chunked',
      'GET',
      200,
      [
        ['Transfer-Encoding', 'chunked, gzip'],
        ['Content-Length', '3'],
      ],
      { kind: 'close' },
    ],
    [
      'identity only, beside a length',
      'GET',
      200,
      [
        ['Transfer-Encoding', 'identity'],
        ['Content-Length', '3'],
      ],
      { kind: 'length', length: 3 },
    ],
    ['no framing field', 'POST', 200, [], { kind: 'close' }],
    [
      'a lower-case head method (methods are case-sensitive)',
      'head',
      200,
      [['Content-Length', '2']],
      { kind: 'length', length: 2 },
    ],
  ])('reads %s', (_name, method, status, headers, framing) => {
    expect(responseFraming(method, status, headers)).toEqual(framing);
  });

  it('refuses Content-Length values that are not one length (UPG-9)', () => {
    for (const headers of [
      [
        ['Content-Length', '3'],
        ['Content-Length', '4'],
      ],
      [['Content-Length', 'abc']],
    ] as HeaderList[]) {
      expect(() => responseFraming('GET', 404, headers)).toThrow(
        expect.objectContaining({ code: 'ERR_HTTP_CONTENT_LENGTH' }),
      );
    }
  });
});
