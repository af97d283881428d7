import { isAbsolute } from 'node:path';
import { UsageError } from './cli-errors.js';

export type ListenAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Parses `unix:///absolute/path.sock` or `tcp://HOST:PORT`. TCP is loopback-only unless
 * `allowRemote` is set, so a simulator or proxy is never exposed to the network by accident.
 */
export function parseListenAddress(text: string, options: { allowRemote?: boolean } = {}): ListenAddress {
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (!isAbsolute(path))
      throw new UsageError(`--listen ${text}: a unix socket path must be absolute (unix:///path/to.sock)`);
    return { kind: 'unix', path };
  }
  if (text.startsWith('tcp://')) {
    const match = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s]+):(\d{1,5})$/.exec(text);
    const port = Number(match?.[2]);
    if (match === null || port > 65535) {
      throw new UsageError(`--listen ${text}: expected tcp://HOST:PORT with a port from 0 to 65535`);
    }
    const host = match[1]!;
    if (!LOOPBACK_HOSTS.has(host) && options.allowRemote !== true) {
      throw new UsageError(
        `--listen ${text}: only loopback addresses (127.0.0.1, ::1, localhost) are allowed here`,
      );
    }
    return { kind: 'tcp', host: host.replace(/^\[(.*)\]$/, '$1'), port };
  }
  throw new UsageError(`--listen ${text}: expected unix:///path.sock or tcp://127.0.0.1:PORT`);
}

export function formatListenAddress(address: ListenAddress): string {
  return address.kind === 'unix'
    ? `unix://${address.path}`
    : `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
