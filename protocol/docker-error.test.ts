import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeDockerError, parseDockerError } from './docker-error.js';

describe('encodeDockerError', () => {
  it('writes {"message":...} and a newline (DKR-3)', () => {
    expect(encodeDockerError('No such container: nope').toString()).toBe(
      '{"message":"No such container: nope"}\n',
    );
  });

  it('escapes quotes, backslashes and control chars, and leaves HTML chars alone like dockerd', () => {
    expect(encodeDockerError('a "b" \\ c\n\t<&>').toString()).toBe(
      '{"message":"a \\"b\\" \\\\ c\\n\\t<&>"}\n',
    );
  });

  it('escapes U+2028 and U+2029 as Go does', () => {
    expect(encodeDockerError('a\u2028b\u2029c').toString()).toBe('{"message":"a\\u2028b\\u2029c"}\n');
  });

  it('writes UTF-8 and replaces a lone surrogate with U+FFFD', () => {
    expect(encodeDockerError('é').equals(Buffer.from('{"message":"é"}\n', 'utf8'))).toBe(true);
    expect(encodeDockerError('a\ud800b').toString()).toBe('{"message":"a\ufffdb"}\n');
    expect(encodeDockerError('😀').toString()).toBe('{"message":"😀"}\n');
  });

  it('round-trips any string through parseDockerError (lone surrogates become U+FFFD)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 24 }), (message) => {
        const body = encodeDockerError(message);
        expect(body.at(-1)).toBe(0x0a);
        expect(parseDockerError(body)).toBe(message.replace(/[\ud800-\udfff]/gu, '\ufffd'));
      }),
    );
    // fast-check builds its full-Unicode `binary` arbitrary on first use: seconds on a loaded machine.
  }, 60_000);
});

describe('parseDockerError', () => {
  it('returns the message of a dockerd error body, as bytes or text', () => {
    const body = '{"message":"No such container: nope"}\n';
    expect(parseDockerError(Buffer.from(body))).toBe('No such container: nope');
    expect(parseDockerError(body)).toBe('No such container: nope');
  });

  it('tolerates surrounding whitespace and extra fields', () => {
    expect(parseDockerError(' \r\n{"message":"x","errorDetail":{}}\r\n\t ')).toBe('x');
  });

  it('reads a Uint8Array view with an offset', () => {
    const backing = Buffer.from('xx{"message":"m"}yy');
    expect(parseDockerError(new Uint8Array(backing.buffer, backing.byteOffset + 2, 15))).toBe('m');
  });

  it.each([
    ['plain text', 'page not found'],
    ['an empty body', ''],
    ['truncated JSON', '{"message":"x"'],
    ['a JSON array', '[{"message":"x"}]'],
    ['a JSON string', '"x"'],
    ['null', 'null'],
    ['a non-string message', '{"message":42}'],
    ['no message', '{"error":"x"}'],
    ['two documents', '{"message":"a"}\n{"message":"b"}\n'],
  ])('returns undefined for %s', (_case, body) => {
    expect(parseDockerError(body)).toBeUndefined();
  });
});
