import { Buffer } from 'node:buffer';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * DKR-3: the error body `{"message":"<text>"}` plus a newline (Content-Type application/json),
 * escaped as Go's encoding/json does for dockerd (SetEscapeHTML(false)): U+2028 and U+2029 are
 * escaped, and a lone surrogate becomes U+FFFD like invalid UTF-8 in Go.
 */
export function encodeDockerError(message: string): Buffer {
  const wellFormed = message.replace(LONE_SURROGATE, '\ufffd');
  const json = JSON.stringify({ message: wellFormed }).replace(/[\u2028\u2029]/g, (char) =>
    char === '\u2028' ? '\\u2028' : '\\u2029',
  );
  return Buffer.from(`${json}\n`, 'utf8');
}

/** DKR-3: the `message` of an error body, or undefined when the body is not that shape. */
export function parseDockerError(body: Uint8Array | string): string | undefined {
  const text =
    typeof body === 'string'
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { message } = parsed as { message?: unknown };
  return typeof message === 'string' ? message : undefined;
}
