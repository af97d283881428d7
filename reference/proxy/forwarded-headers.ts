import type { HeaderList } from '../../protocol/header-list.js';
import { getHeaderValues } from '../../protocol/header-list.js';

/** HND-12: hop-by-hop fields, never forwarded in either direction. */
const HOP_BY_HOP = new Set([
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

/** The highest Engine API version the proxy speaks; guests advertising more are capped to it. */
export const PROXY_API_VERSION = '1.41';

function connectionTokens(headers: HeaderList): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (const value of getHeaderValues(headers, 'connection')) {
    for (const token of value.split(',')) (tokens ??= new Set()).add(token.trim().toLowerCase());
  }
  return tokens;
}

/** Hop-by-hop fields, fields named by Connection, and the extra names given (lower case). */
export function stripHopByHop(headers: HeaderList, extra: readonly string[] = []): [string, string][] {
  const named = connectionTokens(headers);
  const kept: [string, string][] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named?.has(lower) === true || extra.includes(lower)) continue;
    kept.push([name, value]);
  }
  return kept;
}

/** True when Connection lists `token` (case-insensitive, comma-separated across all fields). */
export function connectionHas(headers: HeaderList, token: string): boolean {
  return connectionTokens(headers)?.has(token) === true;
}

/** HND-16 (later revision): the client asks for an upgrade. */
export function wantsUpgrade(headers: HeaderList): boolean {
  return getHeaderValues(headers, 'upgrade').length > 0 || connectionHas(headers, 'upgrade');
}

function versionParts(version: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(version.trim());
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

/** The lower of two API versions; a value that is not `N.M` is left as it is. */
export function capApiVersion(version: string, cap = PROXY_API_VERSION): string {
  const got = versionParts(version);
  const max = versionParts(cap);
  if (got === undefined || max === undefined) return version;
  return got[0] > max[0] || (got[0] === max[0] && got[1] > max[1]) ? cap : version;
}

/** Request fields for the guest: end-to-end fields in order, `Host: localhost` first (HND-12). */
export function guestRequestHeaders(headers: HeaderList): [string, string][] {
  // The proxy owns body framing and 100-continue (HND-13) towards both peers.
  const kept = stripHopByHop(headers, ['host', 'content-length', 'expect']);
  return [['Host', 'localhost'], ...kept];
}

/** Response fields for the client: end-to-end fields in order, Api-Version capped. */
export function clientResponseHeaders(headers: HeaderList): [string, string][] {
  return stripHopByHop(headers).map(([name, value]) =>
    name.toLowerCase() === 'api-version' ? [name, capApiVersion(value)] : [name, value],
  );
}
