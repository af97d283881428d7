import type { Clause } from './catalogue.js';

/** Where each clause is specified: its section in berth's own specification document. */
const SPEC = 'docs/spec/vsk.md';

/** VSK: what a guest connector (vsock in production) guarantees to the proxy and bridge above it. */
export const vskClauses = [
  {
    id: 'VSK-1',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-1' },
    text: 'Bytes written by the client reach the guest unchanged and in order, and the guest’s bytes come back the same way.',
  },
  {
    id: 'VSK-2',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-2' },
    text: 'Every connect opens a new, independent connection: the guest accepts one connection per call, and closing one leaves the others working.',
  },
  {
    id: 'VSK-3',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-3' },
    text: 'When the client ends its side (FIN), the guest reads end of input yet can still send, and all it sends reaches the client.',
  },
  {
    id: 'VSK-4',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-4' },
    text: 'When the guest ends its side, the client sees a clean end of stream while its own writes still reach the guest.',
  },
  {
    id: 'VSK-5',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-5' },
    text: 'Connecting for a role with no configured guest fails at once with a typed unknown-role error that names the configured roles.',
  },
  {
    id: 'VSK-6',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-6' },
    text: 'Connecting to a guest that is not listening fails promptly with a typed refused error instead of hanging.',
  },
  {
    id: 'VSK-7',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-7' },
    text: 'A connect that cannot complete fails with a typed timeout error soon after the connector’s timeout; it never hangs silently.',
  },
  {
    id: 'VSK-8',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-8' },
    text: 'An abortive close (reset) by the guest reaches the client as a stream error, never as a clean end of stream.',
  },
  {
    id: 'VSK-9',
    level: 'SHOULD',
    source: { document: SPEC, section: 'VSK-9' },
    text: 'Aborting the caller’s signal cancels a pending connect with a typed aborted error and leaves nothing open.',
  },
  {
    id: 'VSK-10',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-10' },
    text: 'When the guest stops reading, the client’s writes report a full buffer instead of queueing without bound, and drain once the guest reads again.',
  },
  {
    id: 'VSK-11',
    level: 'MUST',
    source: { document: SPEC, section: 'VSK-11' },
    text: 'When the client destroys its stream, the guest’s side of that connection ends too, so no guest connection is orphaned.',
  },
] as const satisfies readonly Clause[];
