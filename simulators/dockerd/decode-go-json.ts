import { Buffer } from 'node:buffer';

/** Go's quoteChar (encoding/json scanner) for error messages. */
function quoteChar(byte: number): string {
  if (byte === 0x27) return `'\\''`;
  if (byte === 0x22) return `'"'`;
  const named: Record<number, string> = {
    7: '\\a',
    8: '\\b',
    9: '\\t',
    10: '\\n',
    11: '\\v',
    12: '\\f',
    13: '\\r',
    0x5c: '\\\\',
  };
  if (named[byte] !== undefined) return `'${named[byte]}'`;
  if (byte < 0x20 || byte === 0x7f || byte >= 0x80) return `'\\x${byte.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(byte)}'`;
}

/** The outcome of json.NewDecoder(body).Decode: a value, or Go's error text ("EOF", ...). */
export type GoJsonResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

class Syntax extends Error {}

/**
 * Scans the first JSON value of `body` as Go's encoding/json Decoder does (what follows it is
 * ignored; with `unmarshal`, json.Unmarshal: trailing text is an error) and reports its errors with Go's wording: "EOF" for an empty body, "unexpected EOF"
 * for a truncated one, "invalid character 'x' looking for beginning of value" and the like.
 */
export function decodeGoJson(body: Uint8Array, mode: 'decoder' | 'unmarshal' = 'decoder'): GoJsonResult {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let i = 0;
  const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  const skip = (): void => {
    while (i < bytes.length && isSpace(bytes[i] as number)) i += 1;
  };
  const eof = (): never => {
    throw new Syntax('unexpected EOF');
  };
  const bad = (context: string): never => {
    throw new Syntax(`invalid character ${quoteChar(bytes[i] as number)} ${context}`);
  };
  const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

  const literal = (word: string): void => {
    for (let k = 1; k < word.length; k += 1) {
      i += 1;
      if (i >= bytes.length) eof();
      if (bytes[i] !== word.charCodeAt(k)) bad(`in literal ${word} (expecting '${word[k]}')`);
    }
    i += 1;
  };

  const string = (): void => {
    i += 1; // opening quote
    for (;;) {
      if (i >= bytes.length) eof();
      const c = bytes[i] as number;
      if (c === 0x22) {
        i += 1;
        return;
      }
      if (c === 0x5c) {
        i += 1;
        if (i >= bytes.length) eof();
        const e = bytes[i] as number;
        if (e === 0x75) {
          for (let k = 0; k < 4; k += 1) {
            i += 1;
            if (i >= bytes.length) eof();
            if (!/[0-9a-fA-F]/.test(String.fromCharCode(bytes[i] as number)))
              bad('in \\u hexadecimal character escape');
          }
        } else if (!'bfnrt\\/"'.includes(String.fromCharCode(e))) bad('in string escape code');
        i += 1;
        continue;
      }
      if (c < 0x20) bad('in string literal');
      i += 1;
    }
  };

  const number = (): void => {
    if (bytes[i] === 0x2d) {
      i += 1;
      if (i >= bytes.length) eof();
      if (!isDigit(bytes[i])) bad('in numeric literal');
    }
    if (bytes[i] === 0x30) i += 1;
    else while (isDigit(bytes[i])) i += 1;
    if (bytes[i] === 0x2e) {
      i += 1;
      if (i >= bytes.length) eof();
      if (!isDigit(bytes[i])) bad('after decimal point in numeric literal');
      while (isDigit(bytes[i])) i += 1;
    }
    if (bytes[i] === 0x65 || bytes[i] === 0x45) {
      i += 1;
      if (bytes[i] === 0x2b || bytes[i] === 0x2d) i += 1;
      if (i >= bytes.length) eof();
      if (!isDigit(bytes[i])) bad('in exponent of numeric literal');
      while (isDigit(bytes[i])) i += 1;
    }
    // Inside an object or array, input ending right after a number is truncated.
    if (i >= bytes.length && depth > 0) eof();
  };

  let depth = 0;
  /** After a member or element: true at ',' (another follows), false at `closer` (the container ends). */
  const another = (closer: number, what: string): boolean => {
    skip();
    if (i >= bytes.length) eof();
    if (bytes[i] === 0x2c) {
      i += 1;
      return true;
    }
    if (bytes[i] !== closer) bad(what);
    i += 1;
    depth -= 1;
    return false;
  };
  const value = (): void => {
    skip();
    if (i >= bytes.length) eof();
    const c = bytes[i] as number;
    if (c === 0x7b) {
      depth += 1;
      i += 1;
      skip();
      if (i >= bytes.length) eof();
      if (bytes[i] === 0x7d) {
        i += 1;
        depth -= 1;
        return;
      }
      for (;;) {
        skip();
        if (i >= bytes.length) eof();
        if (bytes[i] !== 0x22) bad('looking for beginning of object key string');
        string();
        skip();
        if (i >= bytes.length) eof();
        if (bytes[i] !== 0x3a) bad('after object key');
        i += 1;
        value();
        if (!another(0x7d, 'after object key:value pair')) return;
      }
    }
    if (c === 0x5b) {
      depth += 1;
      i += 1;
      skip();
      if (i >= bytes.length) eof();
      if (bytes[i] === 0x5d) {
        i += 1;
        depth -= 1;
        return;
      }
      for (;;) {
        value();
        if (!another(0x5d, 'after array element')) return;
      }
    }
    if (c === 0x22) return string();
    if (c === 0x2d || isDigit(c)) return number();
    if (c === 0x74) return literal('true');
    if (c === 0x66) return literal('false');
    if (c === 0x6e) return literal('null');
    bad('looking for beginning of value');
  };

  skip();
  if (i >= bytes.length)
    return { ok: false, message: mode === 'decoder' ? 'EOF' : 'unexpected end of JSON input' };
  const start = i;
  try {
    value();
    if (mode === 'unmarshal') {
      skip();
      if (i < bytes.length) bad('after top-level value');
    }
  } catch (error) {
    if (error instanceof Syntax) {
      const message =
        mode === 'unmarshal' && error.message === 'unexpected EOF'
          ? 'unexpected end of JSON input'
          : error.message;
      return { ok: false, message };
    }
    throw error;
  }
  return { ok: true, value: JSON.parse(bytes.toString('utf8', start, i)) as unknown };
}

/** Go's name of a JSON value's type in unmarshal errors ("string", "number", "bool", ...). */
export function goJsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
