import { isAbsolute } from 'node:path';
import { BerthError } from '../../protocol/errors.js';

export type ProxyListenAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export class InvalidListenAddressError extends BerthError {
  readonly code = 'ERR_PROXY_LISTEN_ADDRESS';
  constructor(
    readonly address: string,
    reason: string,
  ) {
    super(`cannot listen on ${address}: ${reason}`);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** `unix:///abs/path.sock`, or `tcp://HOST:PORT` with a loopback host unless `allowRemote`. */
export function parseProxyListenAddress(text: string, allowRemote = false): ProxyListenAddress {
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (!isAbsolute(path)) throw new InvalidListenAddressError(text, 'a unix socket path must be absolute');
    return { kind: 'unix', path };
  }
  const match = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s[\]]+):(\d{1,5})$/.exec(text);
  if (match === null || Number(match[2]) > 65535) {
    throw new InvalidListenAddressError(text, 'expected unix:///path.sock or tcp://HOST:PORT');
  }
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1');
  if (!allowRemote && !LOOPBACK.has(host)) {
    throw new InvalidListenAddressError(text, 'only loopback addresses are allowed without allowRemote');
  }
  return { kind: 'tcp', host, port: Number(match[2]) };
}
