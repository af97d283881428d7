import type { Clause } from './catalogue.js';

/** Where each clause is specified: its section in berth's own specification document. */
const SPEC = 'docs/spec/flt.md';

/**
 * FLT: what the proxy does when the guest of a role fails, for every class of request: plain
 * (`GET /containers/json`), streamed response (`logs?follow`), streamed upload (a chunked
 * `POST /build`), long-poll (`POST /containers/{id}/wait`, `GET /events`) and upgrade (attach with
 * `Upgrade: tcp`); docs/spec/flt.md has the whole matrix. Every clause also requires that the
 * proxy keeps serving afterwards (a `GET /_ping` through it answers 200) and lets go of every
 * guest connection that saw the fault.
 * FLT-9 and FLT-10 concern keep-alive: a proxy may keep guest connections open between requests
 * (upstream's later versions pool them), and must then cope with the guest closing them. A
 * "Docker error" is a status ≥ 500 with `Content-Type: application/json` and a `{"message"}`
 * body (DKR-3). "Promptly" means within 2 s of the fault (upgrades: of the handshake deadline).
 */
export const fltClauses = [
  {
    id: 'FLT-1',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-1' },
    text: 'When nothing listens on the guest’s socket, every request class gets a 502 Docker error promptly, and the proxy keeps serving.',
  },
  {
    id: 'FLT-2',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-2' },
    text: 'A guest that answers late but within the deadline (the handshake deadline for upgrades; none applies to other requests) has its answer relayed whole for every request class: status, body or upgraded stream.',
  },
  {
    id: 'FLT-3',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-3' },
    text: 'A guest that drops the connection after the request head and before any response head gets every request class a 502 Docker error promptly (an upload’s remaining body is drained or the connection closed, never left hanging), and the proxy closes its guest connection.',
  },
  {
    id: 'FLT-4',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-4' },
    text: 'A guest that drops the connection after its response head and part of the body makes the proxy close the client connection promptly, after relaying what had arrived, and never end the answer so that it looks complete (no terminating chunk, no short Content-Length).',
  },
  {
    id: 'FLT-5',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-5' },
    text: 'A guest that drops an upgraded stream after its 101 makes the proxy relay the bytes already sent and then close the client connection (FIN or reset) promptly.',
  },
  {
    id: 'FLT-6',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-6' },
    text: 'A guest that reads the request and never answers gets an upgrade a 504 Docker error within the handshake deadline; other requests have no proxy deadline (a `wait` or `stop -t` may legitimately take long), so the proxy may keep waiting or answer 504, and when the client closes its connection the proxy closes the guest connection within 2 s.',
  },
  {
    id: 'FLT-7',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-7' },
    text: 'A guest that answers bytes that are not HTTP gets every request class a 502 Docker error promptly, never the garbage itself, and the proxy closes its guest connection.',
  },
  {
    id: 'FLT-8',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-8' },
    text: 'A guest that ends its side of the connection (FIN) before answering gets every request class a 502 Docker error promptly, without the proxy waiting for the guest to close its other direction, and the proxy then closes its guest connection.',
  },
  {
    id: 'FLT-9',
    level: 'MUST',
    source: { document: SPEC, section: 'FLT-9' },
    text: 'A guest that closes its idle keep-alive connections between requests (as a dockerd may, on an idle timeout or a restart) costs no client an answer: every later request, with or without a body, gets the guest’s own answer, never a 502 for a connection the proxy kept after the guest had closed it.',
  },
  {
    id: 'FLT-10',
    level: 'SHOULD',
    source: { document: SPEC, section: 'FLT-10' },
    text: 'When a guest closes a kept-alive connection without answering the request just sent on it (the race an idle timeout leaves open), a bodyless GET or HEAD is sent again on a new connection and the client gets the guest’s answer, not a 502 (as Go’s and hyper’s clients retry requests that can be replayed).',
  },
] as const satisfies readonly Clause[];
