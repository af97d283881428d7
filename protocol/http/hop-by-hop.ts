import { getHeaderValues, type HeaderList } from '../header-list.js';

/**
 * HND-12, UPG-18, RFC 9110 7.6.1: fields that describe one connection and never cross a proxy,
 * in either direction: Connection itself and the fields the RFC names (Proxy-Connection,
 * Keep-Alive, TE, Transfer-Encoding, Upgrade), Trailer (it announces trailers of this hop's chunked
 * coding, RFC 9110 6.6.2), and Proxy-Authenticate and Proxy-Authorization, which only the next
 * hop may read (RFC 9110 11.7.1, 11.7.2). Lower case.
 */
export const HOP_BY_HOP_FIELDS: ReadonlySet<string> = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Lower-cased options of every Connection field (`Connection: Upgrade, X-Foo` → upgrade, x-foo). */
export function connectionTokens(headers: HeaderList): Set<string> {
  const tokens = new Set<string>();
  for (const value of getHeaderValues(headers, 'connection')) {
    for (const token of value.split(',')) {
      const trimmed = token.trim().toLowerCase();
      if (trimmed !== '') tokens.add(trimmed);
    }
  }
  return tokens;
}

/** True when a Connection field lists `token` (case-insensitive, across every field). */
export function connectionHas(headers: HeaderList, token: string): boolean {
  return connectionTokens(headers).has(token.toLowerCase());
}

/**
 * RFC 9110 7.6.1: the end-to-end fields of a message, in order and with duplicates: without the
 * hop-by-hop set, the fields its Connection names, and the `extra` names given (lower case), such
 * as the framing fields a proxy writes itself.
 */
export function stripHopByHop(headers: HeaderList, extra: readonly string[] = []): [string, string][] {
  const named = connectionTokens(headers);
  const kept: [string, string][] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_FIELDS.has(lower) || named.has(lower) || extra.includes(lower)) continue;
    kept.push([name, value]);
  }
  return kept;
}
