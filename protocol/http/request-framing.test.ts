import { describe, expect, it } from 'vitest';
import type { HeaderList } from '../header-list.js';
import { requestFraming } from './request-framing.js';

describe('requestFraming (RFC 9112 6.3)', () => {
  it.each<[string, HeaderList, unknown]>([
    ['no framing field', [], { kind: 'none' }],
    ['Content-Length: 0', [['Content-Length', '0']], { kind: 'none' }],
    ['Content-Length: 12', [['content-length', '12']], { kind: 'length', length: 12 }],
    [
      'the same length twice',
      [
        ['Content-Length', '3, 3'],
        ['Content-Length', '3'],
      ],
      { kind: 'length', length: 3 },
    ],
    ['chunked', [['Transfer-Encoding', 'chunked']], { kind: 'chunked' }],
    [
      'gzip then chunked',
      [
        ['Transfer-Encoding', 'gzip'],
        ['Transfer-Encoding', ' Chunked '],
      ],
      { kind: 'chunked' },
    ],
    [
      'identity only, beside a length',
      [
        ['Transfer-Encoding', 'identity'],
        ['Content-Length', '2'],
      ],
      { kind: 'length', length: 2 },
    ],
  ])('reads %s', (_name, headers, framing) => {
    expect(requestFraming(headers)).toEqual(framing);
  });

  it.each<[string, HeaderList, string]>([
    [
      'Content-Length before chunked (BAD-4)',
      [
        ['Content-Length', '4'],
        ['Transfer-Encoding', 'chunked'],
      ],
      'ERR_HTTP_CONFLICTING_FRAMING',
    ],
    [
      'chunked before Content-Length: 0 (BAD-4)',
      [
        ['Transfer-Encoding', 'chunked'],
        ['Content-Length', '0'],
      ],
      'ERR_HTTP_CONFLICTING_FRAMING',
    ],
    ['gzip only (BAD-5)', [['Transfer-Encoding', 'gzip']], 'ERR_HTTP_TRANSFER_CODING'],
    [
      'chunked then identity (BAD-5)',
      [['Transfer-Encoding', 'chunked, identity']],
      'ERR_HTTP_TRANSFER_CODING',
    ],
    [
      'two differing fields (BAD-5)',
      [
        ['Content-Length', '2'],
        ['Content-Length', '3'],
      ],
      'ERR_HTTP_CONTENT_LENGTH',
    ],
    ['two differing values in one field (BAD-5)', [['Content-Length', '2, 3']], 'ERR_HTTP_CONTENT_LENGTH'],
    ['a negative length', [['Content-Length', '-2']], 'ERR_HTTP_CONTENT_LENGTH'],
    ['a hexadecimal length', [['Content-Length', '0x2']], 'ERR_HTTP_CONTENT_LENGTH'],
    ['a plus sign', [['Content-Length', '+2']], 'ERR_HTTP_CONTENT_LENGTH'],
    ['a length past 2^53', [['Content-Length', '99999999999999999999']], 'ERR_HTTP_CONTENT_LENGTH'],
    ['an empty length', [['Content-Length', '']], 'ERR_HTTP_CONTENT_LENGTH'],
  ])('refuses %s', (_name, headers, code) => {
    expect(() => requestFraming(headers)).toThrow(expect.objectContaining({ code }));
  });
});
