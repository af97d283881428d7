import type { Clause } from './catalogue.js';

/** Where each clause is specified: its section in berth's own specification document. */
const SPEC = 'docs/spec/upg.md';

/**
 * UPG: the HTTP upgrade bridge behind attach, exec start and BuildKit /session. Where upstream
 * (arcbox-docker 0.4.9) is wrong the clause states what the reference does; docs/spec/upg.md says
 * what upstream does instead and why.
 */
export const upgClauses = [
  {
    id: 'UPG-1',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-1' },
    text: 'The whole request body the client sends with an upgrade request, framed by length or chunked, reaches the guest before the guest has to answer.',
  },
  {
    id: 'UPG-2',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-2' },
    text: 'The guest receives the upgrade request as HTTP/1.1 with the client’s method and target byte for byte, Host set to localhost, the client’s end-to-end headers in order with Connection and Upgrade kept, no Transfer-Encoding, and a Content-Length equal to the body’s size, even when it is 0.',
  },
  {
    id: 'UPG-3',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-3' },
    text: 'A guest connection that fails while the request is written or before any answer gets the client a 502 with a Docker JSON error, never a hang.',
  },
  {
    id: 'UPG-4',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-4' },
    text: 'A guest that closes its connection before completing its response head gets the client a 502 with a Docker JSON error.',
  },
  {
    id: 'UPG-5',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-5' },
    text: 'Any reason phrase after a valid three-digit status is accepted, as in dockerd’s 101 UPGRADED, while a status line without one gets the client a 502 with a Docker JSON error.',
  },
  {
    id: 'UPG-6',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-6' },
    text: 'A guest response head of at most 8192 bytes, its final CRLFCRLF included, is accepted, and one of 8193 bytes or more gets the client a 502 with a Docker JSON error.',
  },
  {
    id: 'UPG-7',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-7' },
    text: 'The guest’s response headers are relayed in their order with every repeated field kept, and a malformed header line gets the client a 502 with a Docker JSON error.',
  },
  {
    id: 'UPG-8',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-8' },
    text: 'A guest that has not sent its whole response head within the handshake deadline gets the client a 504 with a Docker JSON error soon after the deadline, and its connection is closed.',
  },
  {
    id: 'UPG-9',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-9' },
    text: 'A guest answer that is neither a 101 nor a raw-stream hijack reaches the client with its status, its end-to-end headers and its whole body, whatever the body’s size and framing.',
  },
  {
    id: 'UPG-10',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-10' },
    text: 'A guest 101 becomes a client 101 with Connection set to Upgrade, the guest’s Upgrade value (tcp when it sent none), the guest’s Content-Type when it sent one, and no other guest header.',
  },
  {
    id: 'UPG-11',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-11' },
    text: 'After the 101 the bridge carries bytes both ways unchanged and in order until both directions have ended, and then closes both connections.',
  },
  {
    id: 'UPG-12',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-12' },
    text: 'A client that half-closes right after the 101 has its end of input passed to the guest, and everything the guest sends afterwards, its own end included, still reaches the client.',
  },
  {
    id: 'UPG-13',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-13' },
    text: 'When the guest ends its side of an upgraded stream the client sees a clean end of stream, while what the client sends afterwards still reaches the guest.',
  },
  {
    id: 'UPG-14',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-14' },
    text: 'Bytes the guest sends right behind its response head reach the client directly after the head and before anything the guest sends later.',
  },
  {
    id: 'UPG-15',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-15' },
    text: 'Bytes the client sends right behind its request, before the 101 has come back, reach the guest after the handshake and before anything the client sends later.',
  },
  {
    id: 'UPG-16',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-16' },
    text: 'A guest 200 with a Docker raw-stream Content-Type and neither a length nor chunking, the hijack dockerd does without an upgrade, is relayed head first and then as a stream in both directions until both have ended.',
  },
  {
    id: 'UPG-17',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-17' },
    text: 'When one side of an upgraded stream fails abruptly the other side is closed at once, so neither the client nor the guest waits forever.',
  },
  {
    id: 'UPG-18',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-18' },
    text: 'A relayed non-101 answer carries none of the guest’s hop-by-hop fields, such as Keep-Alive, Upgrade, Transfer-Encoding or those its Connection field names, and carries a Content-Length only when it matches the body the client gets.',
  },
  {
    id: 'UPG-19',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-19' },
    text: 'A guest that falls silent in the middle of a non-101 body is cut off after the handshake deadline, and the client’s connection ends instead of hanging.',
  },
  {
    id: 'UPG-20',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-20' },
    text: 'After a relayed non-101 answer or a bridge error the client’s connection carries Connection close and ends once the answer is complete, and the guest’s connection is closed too.',
  },
  {
    id: 'UPG-21',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-21' },
    text: 'A client that stops reading an upgraded stream makes the bridge stop reading from the guest, so the stream is never buffered without bound, and everything arrives once the client reads again.',
  },
  {
    id: 'UPG-22',
    level: 'MUST',
    source: { document: SPEC, section: 'UPG-22' },
    text: 'A non-101 body that the guest cuts short of its announced length ends the client’s connection early, so a truncated body never passes for a complete one.',
  },
] as const satisfies readonly Clause[];
