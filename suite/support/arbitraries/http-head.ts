import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import type { HeaderList } from '../../../protocol/header-list.js';
import type { RequestHead, ResponseHead } from '../../../protocol/http-head.js';

const chars = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));

const TOKEN_CHARS = [..."!#$%&'*+-.^_`|~", ...chars(0x30, 0x39), ...chars(0x41, 0x5a), ...chars(0x61, 0x7a)];
const VISIBLE = chars(0x21, 0x7e);
const OBS_TEXT = chars(0x80, 0xff);
const VALUE_CHARS = ['\t', ' ', ...VISIBLE, ...OBS_TEXT];

export const tokenArb: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...TOKEN_CHARS),
  minLength: 1,
  maxLength: 16,
});

/** Header names: free tokens, plus a few fixed ones in several cases so duplicates happen. */
export const headerNameArb: fc.Arbitrary<string> = fc.oneof(
  tokenArb,
  fc.constantFrom('Upgrade', 'upgrade', 'Connection', 'CONNECTION', 'Content-Type', 'X-Dup'),
);

/** A field value as the parser returns it: no surrounding SP/HTAB. */
export const fieldValueArb: fc.Arbitrary<string> = fc
  .string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 48 })
  .map((value) => value.replace(/^[ \t]+|[ \t]+$/g, ''));

export const headerListArb: fc.Arbitrary<HeaderList> = fc.array(fc.tuple(headerNameArb, fieldValueArb), {
  maxLength: 16,
});

export const versionArb: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }))
  .map(([major, minor]) => `HTTP/${major}.${minor}`);

export const targetArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('/', '/v1.41/containers/abc/attach?stream=1&stdout=1', '*'),
  fc.string({ unit: fc.constantFrom(...VISIBLE), minLength: 1, maxLength: 64 }),
);

export const reasonArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'UPGRADED', 'Switching Protocols', 'OK'),
  fc.string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 32 }),
);

export const requestHeadArb: fc.Arbitrary<RequestHead> = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'DELETE'), tokenArb),
  target: targetArb,
  version: versionArb,
  headers: headerListArb,
});

export const responseHeadArb: fc.Arbitrary<ResponseHead> = fc.record({
  version: versionArb,
  status: fc.oneof(fc.constantFrom(101, 200, 404, 100, 999), fc.integer({ min: 100, max: 999 })),
  reason: reasonArb,
  headers: headerListArb,
});

const owsArb = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 });

/**
 * Valid but not canonical response heads: optional whitespace around values, a status line with
 * no reason (and no space after the status). Parsing one then building and parsing again must be
 * stable.
 */
export const looseResponseHeadBytesArb: fc.Arbitrary<Buffer> = fc
  .tuple(
    versionArb,
    fc.integer({ min: 100, max: 999 }),
    fc.option(reasonArb, { nil: undefined }),
    fc.array(fc.tuple(headerNameArb, owsArb, fieldValueArb, owsArb), { maxLength: 12 }),
  )
  .map(([version, status, reason, fields]) => {
    const start = reason === undefined ? `${version} ${status}` : `${version} ${status} ${reason}`;
    const lines = fields.map(([name, before, value, after]) => `${name}:${before}${value}${after}`);
    return Buffer.from([start, ...lines, '', ''].join('\r\n'), 'latin1');
  });

const NOISE_PIECES = [
  '\r\n',
  '\r',
  '\n',
  ':',
  ' ',
  '\t',
  '\0',
  'HTTP/1.1 ',
  '101',
  ' UPGRADED',
  'Upgrade: tcp',
  'GET / HTTP/1.1',
];

/** Byte soup for "never throws": random bytes and runs of the pieces that steer a head parser. */
export const headNoiseArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc
    .array(fc.oneof(fc.constantFrom(...NOISE_PIECES), fc.string({ unit: 'binary-ascii', maxLength: 8 })), {
      maxLength: 40,
    })
    .map((pieces) => Buffer.from(pieces.join(''), 'latin1')),
);
