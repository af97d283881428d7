import { BerthError } from './errors.js';

/**
 * berth's one fault vocabulary, split by the layer a fault acts on. Each word means one thing
 * everywhere; a component injects the subset that makes sense where it sits (an `Extract<...>` of
 * these types): the fake vsock connectors every transport fault, the simulated dockerd a few
 * HTTP ones, the suite's faulty guest (FLT) and the soak relay the faults a guest can show.
 */

/** Transport faults: what happens to one connection between a client and a guest, byte by byte. */
export type TransportFault =
  /** The connect fails at once, as when nothing listens (ECONNREFUSED). */
  | { readonly kind: 'refuse' }
  /** The connect completes `ms` late (still within the connector's connect timeout). */
  | { readonly kind: 'connect-delay'; readonly ms: number }
  /** The connect never completes on its own: only the connect timeout or an abort ends it. */
  | { readonly kind: 'connect-stall' }
  /** Connected, but the client's bytes are swallowed and nothing ever comes back. */
  | { readonly kind: 'black-hole' }
  /**
   * Once `afterBytes` bytes have passed in `direction`, both ends are reset (the client sees a
   * stream error, ECONNRESET, never a clean end). `afterBytes: 0` resets right after connect.
   */
  | { readonly kind: 'reset'; readonly afterBytes: number; readonly direction: 'to-guest' | 'to-client' }
  /**
   * The guest's output beyond its first `afterBytes` (default 0) bytes is replaced by `bytes`
   * (default GARBAGE_BYTES), then the client's side is closed.
   */
  | { readonly kind: 'garbage'; readonly bytes?: string | Uint8Array; readonly afterBytes?: number }
  /**
   * After `afterBytes` guest-to-client bytes the client gets a FIN (a clean end); later guest
   * output is dropped while the client's writes still reach the guest.
   */
  | { readonly kind: 'half-close'; readonly afterBytes: number }
  /** Guest-to-client bytes are delivered in slices of `chunkBytes`, one slice every `intervalMs`. */
  | { readonly kind: 'drip'; readonly chunkBytes: number; readonly intervalMs: number };

/** HTTP faults: what happens to one request and its answer. */
export type HttpFault =
  /** The connection is closed as the request starts: nothing of it reaches the guest (a retry is safe). */
  | { readonly kind: 'drop-request' }
  /** The request reaches the guest, then the connection drops before the first byte of an answer. */
  | { readonly kind: 'reset-before-head' }
  /** The guest ends its side (FIN) once the request head is in, before answering, and keeps reading. */
  | { readonly kind: 'fin-before-answer' }
  /** The answer comes `ms` late, then whole. */
  | { readonly kind: 'answer-delay'; readonly ms: number }
  /** The request is read and never answered; the connection stays open until someone closes it. */
  | { readonly kind: 'answer-stall' }
  /** A Docker error answer (`{"message"}`) with `status` comes instead of the real answer. */
  | { readonly kind: 'error-status'; readonly status: number; readonly message?: string }
  /** Bytes that are not HTTP (GARBAGE_BYTES) come instead of an answer, then the connection closes. */
  | { readonly kind: 'garbage-answer' }
  /** The answer head comes whole with the first piece of the body, then the connection drops. */
  | { readonly kind: 'reset-mid-body' }
  /**
   * The connection drops once `afterBytes` bytes of the answer, head included, have gone out (so
   * with fewer bytes than the head, the client never sees a whole head).
   */
  | { readonly kind: 'reset-mid-answer'; readonly afterBytes: number };

/** Stream faults: what happens to an upgraded (hijacked) stream. */
export type StreamFault =
  /** The guest answers 101 and the first piece of the stream, then the connection drops. */
  { readonly kind: 'reset-mid-stream' };

export type Fault = TransportFault | HttpFault | StreamFault;
export type FaultKind = Fault['kind'];
export type TransportFaultKind = TransportFault['kind'];
export type HttpFaultKind = HttpFault['kind'];
export type StreamFaultKind = StreamFault['kind'];
export type FaultLayer = 'transport' | 'http' | 'stream';

/** The layer of every fault kind (and so the list of every kind there is). */
export const FAULT_LAYERS: Readonly<Record<FaultKind, FaultLayer>> = {
  refuse: 'transport',
  'connect-delay': 'transport',
  'connect-stall': 'transport',
  'black-hole': 'transport',
  reset: 'transport',
  garbage: 'transport',
  'half-close': 'transport',
  drip: 'transport',
  'drop-request': 'http',
  'reset-before-head': 'http',
  'fin-before-answer': 'http',
  'answer-delay': 'http',
  'answer-stall': 'http',
  'error-status': 'http',
  'garbage-answer': 'http',
  'reset-mid-body': 'http',
  'reset-mid-answer': 'http',
  'reset-mid-stream': 'stream',
};

/** What the garbage faults send by default: binary, and nothing an HTTP parser accepts. */
export const GARBAGE_BYTES: Uint8Array = Uint8Array.from([
  0x00, 0xff, 0x13, 0x37, 0x42, 0x45, 0x52, 0x54, 0x48, 0x2d, 0x47, 0x41, 0x52, 0x42, 0x41, 0x47, 0x45, 0xfe,
  0x0d, 0x0a,
]);

/** A fault a component was given is not one it supports, or has a parameter out of range. */
export class InvalidFaultError extends BerthError {
  readonly code = 'ERR_FAULT_INVALID';
  constructor(
    readonly fault: unknown,
    readonly reason: string,
  ) {
    super(`invalid fault ${JSON.stringify(fault)}: ${reason}`);
  }
}

function assertCount(fault: Fault, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidFaultError(fault, `${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Throws InvalidFaultError when a fault's parameters are out of range or its kind is unknown. */
export function assertValidFault(fault: Fault): void {
  switch (fault.kind) {
    case 'connect-delay':
    case 'answer-delay':
      assertCount(fault, 'ms', fault.ms, 0);
      break;
    case 'reset':
      assertCount(fault, 'afterBytes', fault.afterBytes, 0);
      if (fault.direction !== 'to-guest' && fault.direction !== 'to-client') {
        throw new InvalidFaultError(fault, `direction must be 'to-guest' or 'to-client'`);
      }
      break;
    case 'garbage':
      assertCount(fault, 'afterBytes', fault.afterBytes ?? 0, 0);
      if (fault.bytes !== undefined && fault.bytes.length === 0) {
        throw new InvalidFaultError(fault, 'bytes must not be empty');
      }
      break;
    case 'half-close':
    case 'reset-mid-answer':
      assertCount(fault, 'afterBytes', fault.afterBytes, 0);
      break;
    case 'drip':
      assertCount(fault, 'chunkBytes', fault.chunkBytes, 1);
      assertCount(fault, 'intervalMs', fault.intervalMs, 0);
      break;
    case 'error-status':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
        throw new InvalidFaultError(fault, `status must be an HTTP status (100 to 599), got ${fault.status}`);
      }
      break;
    case 'refuse':
    case 'connect-stall':
    case 'black-hole':
    case 'drop-request':
    case 'reset-before-head':
    case 'fin-before-answer':
    case 'answer-stall':
    case 'garbage-answer':
    case 'reset-mid-body':
    case 'reset-mid-stream':
      break;
    default: {
      const unknown: never = fault;
      throw new InvalidFaultError(unknown, 'unknown kind');
    }
  }
}
