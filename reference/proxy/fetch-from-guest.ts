import { Buffer } from 'node:buffer';
import type { Connector, Role } from '../../protocol/connector.js';
import { createHeadReader } from '../../protocol/head-reader.js';
import { buildRequestHead } from '../../protocol/http-head-builder.js';
import type { HeaderList } from '../../protocol/header-list.js';
import { responseFraming } from '../../protocol/http/response-framing.js';
import { ByteReader } from './byte-reader.js';
import { connectGuest } from './connect-guest.js';
import { GuestProtocolError, GuestTimeoutError, GuestUnavailableError } from './proxy-errors.js';
import { readBody } from './read-body.js';

export interface GuestAnswer {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body: Buffer;
}

export interface FetchFromGuestOptions {
  /** The whole exchange (connect, request, answer) must finish within this many ms. */
  readonly timeoutMs: number;
  /** Largest body accepted (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

/**
 * A small bodyless GET the proxy makes on its own behalf (HND-8 probes, canonical-ID lookups):
 * a fresh connection, the whole answer buffered, the connection closed on every path.
 */
export async function fetchFromGuest(
  connector: Connector,
  role: Role,
  target: string,
  options: FetchFromGuestOptions,
): Promise<GuestAnswer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new GuestTimeoutError(role, `did not answer GET ${target} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
  });
  const exchange = async (): Promise<GuestAnswer> => {
    const guest = await connectGuest(connector, role, abort.signal);
    const onAbort = (): void => void guest.destroy();
    abort.signal.addEventListener('abort', onAbort, { once: true });
    try {
      guest.on('error', () => undefined);
      const reader = new ByteReader(guest);
      guest.write(
        buildRequestHead({
          method: 'GET',
          target,
          version: 'HTTP/1.1',
          headers: [
            ['Host', 'localhost'],
            ['Connection', 'close'],
          ],
        }),
      );
      const head = createHeadReader({ kind: 'response' });
      for (;;) {
        const chunk = await reader.read().catch((error: unknown) => {
          throw new GuestUnavailableError(role, 'the connection failed before the answer', { cause: error });
        });
        if (chunk === null)
          throw new GuestUnavailableError(role, 'it closed the connection before answering');
        const state = head.push(chunk);
        if (state.state === 'partial') continue;
        if (state.state === 'error')
          throw new GuestProtocolError(role, state.error.message, { cause: state.error });
        reader.unshift(state.rest);
        const framing = responseFraming('GET', state.head.status, state.head.headers);
        const parts: Buffer[] = [];
        let size = 0;
        for await (const part of readBody(reader, framing)) {
          size += part.length;
          if (size > maxBodyBytes)
            throw new GuestProtocolError(role, `answer body exceeds ${maxBodyBytes} bytes`);
          parts.push(part);
        }
        return { status: state.head.status, headers: state.head.headers, body: Buffer.concat(parts) };
      }
    } finally {
      abort.signal.removeEventListener('abort', onAbort);
      guest.destroy();
    }
  };
  try {
    return await Promise.race([exchange(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
