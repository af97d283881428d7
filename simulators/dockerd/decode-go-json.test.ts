import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { decodeGoJson } from './decode-go-json.js';

useLeakCheck();

const decode = (text: string, mode: 'decoder' | 'unmarshal' = 'decoder'): unknown =>
  decodeGoJson(Buffer.from(text), mode);

describe('decodeGoJson (encoding/json wording)', () => {
  it.each([
    ['', 'EOF'],
    ['  ', 'EOF'],
    ['{"a":1', 'unexpected EOF'],
    ['{bad', "invalid character 'b' looking for beginning of object key string"],
    ['notjson', "invalid character 'o' in literal null (expecting 'u')"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['@', "invalid character '@' looking for beginning of value"],
    ['"a\\x"', "invalid character 'x' in string escape code"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['{"a":\'x\'}', "invalid character '\\'' looking for beginning of value"],
  ])('%j → %j', (text, message) => {
    expect(decode(text)).toEqual({ ok: false, message });
  });

  it('decodes the first value and ignores what follows, as json.Decoder does', () => {
    expect(decode('{"Cmd":["a"]} trailing')).toEqual({ ok: true, value: { Cmd: ['a'] } });
    expect(decode('{"a":1} x', 'unmarshal')).toEqual({
      ok: false,
      message: "invalid character 'x' after top-level value",
    });
    expect(decode('', 'unmarshal')).toEqual({ ok: false, message: 'unexpected end of JSON input' });
  });
});
