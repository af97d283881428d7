import { getHeaderValues, type HeaderList } from '../../protocol/header-list.js';
import { connectionHas, stripHopByHop } from '../../protocol/http/hop-by-hop.js';

/** The highest Engine API version the proxy speaks; guests advertising more are capped to it. */
export const PROXY_API_VERSION = '1.41';

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
