import type { HeaderList } from '../../protocol/header-list.js';
import type { BerthError } from '../../protocol/errors.js';

/** The client's request as the proxy read it, for the bridge to replay to the guest (UPG-2). */
export interface UpgradeRequest {
  /** The client's method, e.g. POST. */
  readonly method: string;
  /** The path and query exactly as the client sent them, version prefix included. */
  readonly target: string;
  /** The client's header fields, in wire order. */
  readonly headers: HeaderList;
  /** The client's whole request body, already read and de-chunked (UPG-1); empty for attach. */
  readonly body: Buffer;
}

export interface BridgeOptions {
  /** UPG-8: deadline for writing the request and reading the guest's head; also the idle bound of a relayed body (UPG-19). Default 5000. */
  readonly handshakeTimeoutMs?: number;
  /** UPG-6: the largest guest head accepted, CRLFCRLF included. Default 8192. */
  readonly maxHeadBytes?: number;
}

/**
 * How a bridged exchange ended. `kind` says how far it got: `upgraded` (101, UPG-10/11),
 * `hijacked` (200 raw stream, UPG-16), `relayed` (any other answer, UPG-9) or `failed` (no usable
 * answer: the client got a Docker error, UPG-3..8). `status` is what the client was sent (absent
 * when it could not be told anything); `error` is set when the exchange ended abnormally, also
 * after a successful handshake (a reset mid-stream, a truncated body).
 */
export type BridgeOutcome = {
  kind: 'upgraded' | 'hijacked' | 'relayed' | 'failed';
  status?: number;
  error?: BerthError;
};
