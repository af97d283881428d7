import { Buffer } from 'node:buffer';
import { buildRequestHead } from '../../protocol/http-head-builder.js';
import { isFieldValue, isToken } from '../../protocol/http-head.js';
import { connectionTokens } from '../../protocol/http/hop-by-hop.js';
import type { UpgradeRequest } from './upgrade-request.js';

/**
 * Fields never copied from the client: the bridge sets Host and the body's length itself, the body
 * is already de-chunked, and the body is already read, so a 100-continue has nothing to wait for.
 */
const REPLACED = new Set(['host', 'content-length', 'transfer-encoding', 'expect']);

/**
 * UPG-2: the request as the guest must see it, head and body. Throws the head builder's error when
 * the method or target cannot be written; header fields the builder would refuse are skipped.
 */
export function buildGuestRequest(request: UpgradeRequest): Buffer {
  // Names the client declared hop-by-hop, except the two that carry the upgrade itself.
  const hopByHop = connectionTokens(request.headers);
  hopByHop.delete('upgrade');
  hopByHop.delete('connection');
  const headers: (readonly [string, string])[] = [['Host', 'localhost']];
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (REPLACED.has(lower) || hopByHop.has(lower)) continue;
    if (!isToken(name) || !isFieldValue(value)) continue;
    headers.push([name, value]);
  }
  // Always present, even for an empty body, so the guest never waits for a body that will not come.
  headers.push(['Content-Length', String(request.body.length)]);
  const head = buildRequestHead({
    method: request.method,
    target: request.target,
    version: 'HTTP/1.1',
    headers,
  });
  return request.body.length === 0 ? head : Buffer.concat([head, request.body]);
}
