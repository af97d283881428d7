import { isAbsolute } from 'node:path';
import { BerthError } from './errors.js';

/** Where a berth server (the proxy, a simulated dockerd) listens. */
export type ListenAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/** What is wrong with a listen address; the CLI turns it into its one-line usage message. */
export type ListenAddressProblem = 'relative-path' | 'bad-tcp' | 'not-loopback' | 'unknown-scheme';

const DETAIL: Readonly<Record<ListenAddressProblem, string>> = {
  'relative-path': 'a unix socket path must be absolute (unix:///path/to.sock)',
  'bad-tcp': 'expected tcp://HOST:PORT with a port from 0 to 65535',
  'not-loopback': 'only loopback addresses (127.0.0.1, ::1, localhost) are allowed here',
  'unknown-scheme': 'expected unix:///path.sock or tcp://127.0.0.1:PORT',
};

export class InvalidListenAddressError extends BerthError {
  readonly code = 'ERR_LISTEN_ADDRESS';
  /** The reason alone, without the address: `DETAIL` of the problem. */
  readonly detail: string;
  constructor(
    readonly address: string,
    readonly problem: ListenAddressProblem,
  ) {
    super(`cannot listen on ${address}: ${DETAIL[problem]}`);
    this.detail = DETAIL[problem];
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const TCP = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s[\]]+):(\d{1,5})$/;

export interface ParseListenAddressOptions {
  /** Accept a non-loopback TCP host (off by default: nothing is exposed to the network by accident). */
  readonly allowRemote?: boolean;
}

/** `unix:///absolute/path.sock`, or `tcp://HOST:PORT` (an IPv6 host in brackets), loopback only unless allowed. */
export function parseListenAddress(text: string, options: ParseListenAddressOptions = {}): ListenAddress {
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (!isAbsolute(path)) throw new InvalidListenAddressError(text, 'relative-path');
    return { kind: 'unix', path };
  }
  if (!text.startsWith('tcp://')) throw new InvalidListenAddressError(text, 'unknown-scheme');
  const match = TCP.exec(text);
  const port = Number(match?.[2]);
  if (match === null || port > 65535) throw new InvalidListenAddressError(text, 'bad-tcp');
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1');
  if (options.allowRemote !== true && !LOOPBACK.has(host))
    throw new InvalidListenAddressError(text, 'not-loopback');
  return { kind: 'tcp', host, port };
}

/** The text `parseListenAddress` reads back to the same address. */
export function formatListenAddress(address: ListenAddress): string {
  return address.kind === 'unix'
    ? `unix://${address.path}`
    : `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
