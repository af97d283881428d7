import type { Clause } from './catalogue.js';

/** Where each clause is specified: its section in berth's own specification document. */
const SPEC = 'docs/spec/hnd.md';

/**
 * HND: the Docker API proxy in front of several guest dockerds (one per role). Where upstream is
 * wrong the clause states what a correct proxy does; docs/spec/hnd.md says what upstream does
 * instead and why.
 */
export const hndClauses = [
  {
    id: 'HND-1',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-1' },
    text: 'The workload a request names is taken only from `/containers/{id}/…` and `/exec/{id}/…` at the path root (after an optional `/vX.Y` prefix); `/containers/json|create|prune` are collections for GET and POST, yet `DELETE /containers/json` names a container called json.',
  },
  {
    id: 'HND-2',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-2' },
    text: 'A create’s platform is matched case-insensitively with architecture aliases (`amd64`, `x86_64`, `linux/x86_64` all mean linux/amd64; `aarch64`, `arm64` mean linux/arm64).',
  },
  {
    id: 'HND-3',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-3' },
    text: 'The query string reaches the guest byte for byte: not re-encoded, percent-encoded JSON left alone, and no `?` added when the request had none.',
  },
  {
    id: 'HND-4',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-4' },
    text: 'A container create goes to the role whose platforms include its `platform` query parameter (URL-decoded), and to the default role when it has none.',
  },
  {
    id: 'HND-5',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-5' },
    text: 'A create for a platform that no configured role runs is refused with 501 and a Docker error body naming the platform and the configured roles, and reaches no guest.',
  },
  {
    id: 'HND-6',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-6' },
    text: 'When the guest of the role a request needs cannot be reached (refused, reset before answering), the proxy answers 502 with a Docker error naming that role, keeps serving other roles, and stays up.',
  },
  {
    id: 'HND-7',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-7' },
    text: 'A container identifier the registry knows is routed to its role; one that matches workloads of several roles is refused with 409 and a Docker error naming the identifier.',
  },
  {
    id: 'HND-8',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-8' },
    text: 'An identifier the registry does not know is looked up on every configured guest: exactly one owner → routed there and its canonical Id and name recorded; two or more → 409; none → the default role (whose guest answers 404).',
  },
  {
    id: 'HND-9',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-9' },
    text: 'An exec created through the proxy is recorded with its container’s role, so exec start, resize and inspect reach that guest; unknown exec IDs go to the default role.',
  },
  {
    id: 'HND-10',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-10' },
    text: 'A commit (`POST /commit?container=`) is routed to the role of the named container.',
  },
  {
    id: 'HND-11',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-11' },
    text: 'Answers are streamed as the guest produces them (a followed log arrives before the container exits) and concurrent connections of one client are served independently (a long-poll wait blocks no other request).',
  },
  {
    id: 'HND-12',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-12' },
    text: 'A forwarded request keeps its method, path and end-to-end fields, carries `Host: localhost`, and loses hop-by-hop fields (and those named by Connection) in both directions; `Api-Version` is passed through, capped at the proxy’s 1.41.',
  },
  {
    id: 'HND-13',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-13' },
    text: 'Request bodies reach the guest whole, whether sent with Content-Length or chunked, and `Expect: 100-continue` is answered by the proxy so the upload proceeds.',
  },
  {
    id: 'HND-14',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-14' },
    text: 'A successful create’s answer reaches the client unchanged, and its Id (with the `name` query, decoded, without a leading "/") is recorded so later requests by ID, short ID or name reach the same guest.',
  },
  {
    id: 'HND-15',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-15' },
    text: 'After a successful rename the new name reaches the container’s guest; after a successful remove the proxy no longer routes the old identifiers to that role.',
  },
  {
    id: 'HND-16',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-16' },
    text: 'Exec start is bridged as a hijack with or without an Upgrade header, so output and the exit code come back and stdin reaches the process; a detached exec start is an ordinary request.',
  },
  {
    id: 'HND-17',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-17' },
    text: 'Attach is bridged with or without an Upgrade header; the legacy `200 OK` raw stream is relayed to its end, not truncated.',
  },
  {
    id: 'HND-18',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-18' },
    text: 'A route the proxy does not know is forwarded to the default role, so the guest’s own answer (404 `page not found` for unknown paths) reaches the client; the proxy never answers 405.',
  },
  {
    id: 'HND-19',
    level: 'MUST',
    source: { document: SPEC, section: 'HND-19' },
    text: 'A guest that does not answer an upgrade in time gets the client a 504 Docker error, and the proxy keeps serving other requests.',
  },
] as const satisfies readonly Clause[];
