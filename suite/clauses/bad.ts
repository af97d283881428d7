import type { Clause } from './catalogue.js';

/** Where each clause is specified: its section in berth's own specification document. */
const SPEC = 'docs/spec/bad.md';

/**
 * BAD: hostile input to the proxy and the security properties around it. A clause asks for the
 * safe property (a 4xx Docker error, nothing smuggled to a guest, the proxy still serving), not
 * for the reference's exact words, so any careful proxy can meet it.
 */
export const badClauses = [
  {
    id: 'BAD-1',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-1' },
    text: 'A request that cannot be read as HTTP/1.1 (a malformed request line, a bare LF, an obsolete line fold, a header name with whitespace, CR/LF or another control character in the target or a header value) is answered with a 400 and closed; nothing of it reaches a guest.',
  },
  {
    id: 'BAD-2',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-2' },
    text: 'A request head that never ends within 1 MiB is refused with a 4xx and the connection closed: the proxy never buffers an unbounded head, and nothing of it reaches a guest.',
  },
  {
    id: 'BAD-3',
    level: 'SHOULD',
    source: { document: SPEC, section: 'BAD-3' },
    text: 'A request head larger than 8 KiB is refused with 431 (or 400) and a Docker `{"message"}` error, as the reference bridge caps heads (UPG-6).',
  },
  {
    id: 'BAD-4',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-4' },
    text: 'A request with both Transfer-Encoding and Content-Length is refused with a 4xx, or served by its Transfer-Encoding alone; either way the connection is closed after the answer and nothing that followed it on the connection reaches a guest.',
  },
  {
    id: 'BAD-5',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-5' },
    text: 'A request whose body length is unknowable (differing Content-Length values, a non-numeric Content-Length, a Transfer-Encoding that does not end with chunked) is refused with a 4xx (501 allowed for an unknown coding) and the connection closed; nothing of it reaches a guest.',
  },
  {
    id: 'BAD-6',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-6' },
    text: 'A chunked request body with an invalid chunk size never reaches a guest as a complete request; the client gets a 4xx or a closed connection, and nothing that followed it on the connection reaches a guest.',
  },
  {
    id: 'BAD-7',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-7' },
    text: 'A workload ID or path with traversal or encoding tricks (dot segments, encoded slashes, %00, double encoding, overlong UTF-8, encoded CR/LF) is never rewritten into another path: a guest receives the target byte for byte, or only a read-only lookup of the ID as one encoded segment; the client never gets a 2xx or a 5xx for it (a 4xx Docker error when the proxy answers itself; a guest’s redirect or error is relayed).',
  },
  {
    id: 'BAD-8',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-8' },
    text: 'A create whose body is not valid JSON gets a Docker error (400 when the proxy answers itself; a guest’s own error, such as dockerd 20.10’s 500 `unexpected EOF`, is relayed) and creates no container on any guest; the proxy goes on routing creates correctly.',
  },
  {
    id: 'BAD-9',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-9' },
    text: 'A create whose platform is not a platform (extra or dot segments, non-ASCII, 10 KiB long) is answered with a 4xx Docker error and creates no container on any guest.',
  },
  {
    id: 'BAD-10',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-10' },
    text: 'A create whose container name breaks Docker’s name grammar `[a-zA-Z0-9][a-zA-Z0-9_.-]+` (unicode, slashes, control characters) is answered with a 4xx Docker error, creates nothing, and leaves no name the proxy would route.',
  },
  {
    id: 'BAD-11',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-11' },
    text: 'Whatever bytes a client sends, the proxy answers none of them with a 5xx of its own and stays up: a `GET /_ping` on a fresh connection right after answers 200.',
  },
  {
    id: 'BAD-12',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-12' },
    text: 'The proxy’s unix socket is accessible to its owner only (mode 0600).',
  },
  {
    id: 'BAD-13',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-13' },
    text: 'Routing fails closed: a request naming a workload no guest has, or one that several roles have, gets a Docker error (404, 409) and changes nothing on any guest; the proxy never guesses an owner.',
  },
  {
    id: 'BAD-14',
    level: 'MUST',
    source: { document: SPEC, section: 'BAD-14' },
    text: 'A create for a platform no configured role runs is answered 501 with a Docker error and reaches no guest.',
  },
] as const satisfies readonly Clause[];
