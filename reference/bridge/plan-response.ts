import type { Buffer } from 'node:buffer';
import { getHeader, type HeaderList } from '../../protocol/header-list.js';
import { buildResponseHead } from '../../protocol/http-head-builder.js';
import type { ResponseHead } from '../../protocol/http-head.js';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import { stripHopByHop } from '../../protocol/http/hop-by-hop.js';
import { isHttpBodyError } from '../../protocol/http/http-body-errors.js';
import { responseFraming } from '../../protocol/http/response-framing.js';
import { GuestBadResponseError } from './bridge-errors.js';

/** What the bridge does with the guest's head, and the head the client gets. */
export type ResponsePlan =
  | { readonly kind: 'upgrade'; readonly clientHead: Buffer }
  | { readonly kind: 'hijack'; readonly clientHead: Buffer }
  | { readonly kind: 'relay'; readonly framing: BodyFraming; readonly clientHead: Buffer }
  /** A 1xx other than 101 (100 Continue, 103 Early Hints): an interim answer, the real one follows. */
  | { readonly kind: 'interim' }
  | { readonly kind: 'invalid'; readonly error: GuestBadResponseError };

/** DKR-19, DKR-21: the content types of a hijacked attach or exec stream. */
const STREAM_TYPES = new Set([
  'application/vnd.docker.raw-stream',
  'application/vnd.docker.multiplexed-stream',
]);

const mediaType = (value: string | undefined): string =>
  (value ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';

/** UPG-18: the guest's end-to-end fields, in order and with duplicates (UPG-7), minus Content-Length. */
const endToEnd = (headers: HeaderList): [string, string][] => stripHopByHop(headers, ['content-length']);

/** RFC 9112 6.3: the framing of the guest's body; UPG-9: a Content-Length it cannot trust is its fault. */
function guestBodyFraming(method: string, head: ResponseHead): BodyFraming | GuestBadResponseError {
  try {
    return responseFraming(method, head.status, head.headers);
  } catch (error) {
    if (!isHttpBodyError(error)) throw error;
    return new GuestBadResponseError(error.message, { cause: error });
  }
}

function respond(head: ResponseHead, headers: HeaderList): Buffer {
  return buildResponseHead({ version: 'HTTP/1.1', status: head.status, reason: head.reason, headers });
}

/** Decides, from the guest's head, between an upgrade, a legacy hijack and a plain relay. */
export function planResponse(method: string, head: ResponseHead): ResponsePlan {
  const contentType = getHeader(head.headers, 'content-type');
  if (head.status === 101) {
    // UPG-10: Connection, the guest's Upgrade value (tcp when absent) and Content-Type; nothing else.
    const headers: (readonly [string, string])[] = [
      ['Connection', 'Upgrade'],
      ['Upgrade', getHeader(head.headers, 'upgrade') ?? 'tcp'],
    ];
    if (contentType !== undefined) headers.push(['Content-Type', contentType]);
    return { kind: 'upgrade', clientHead: respond(head, headers) };
  }
  if (head.status < 200) return { kind: 'interim' };
  const hasTransferEncoding = getHeader(head.headers, 'transfer-encoding') !== undefined;
  const hasLength = getHeader(head.headers, 'content-length') !== undefined;
  if (head.status === 200 && !hasTransferEncoding && !hasLength && STREAM_TYPES.has(mediaType(contentType))) {
    // UPG-16 (P-B3): dockerd hijacked the connection without an upgrade; the stream runs both ways.
    return { kind: 'hijack', clientHead: respond(head, endToEnd(head.headers)) };
  }
  const framing = guestBodyFraming(method, head);
  if (framing instanceof GuestBadResponseError) return { kind: 'invalid', error: framing };
  const headers = endToEnd(head.headers);
  if (framing.kind === 'length') headers.push(['Content-Length', String(framing.length)]);
  if (framing.kind === 'chunked') headers.push(['Transfer-Encoding', 'chunked']);
  if (framing.kind === 'none' && head.status !== 204) {
    const length = getHeader(head.headers, 'content-length');
    if (length !== undefined) headers.push(['Content-Length', length]);
  }
  // UPG-20: the bridge owns this client connection and closes it after the answer.
  headers.push(['Connection', 'close']);
  return { kind: 'relay', framing, clientHead: respond(head, headers) };
}
