import type { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { swallowErrors } from './stream-control.js';
import { waitClosed } from '../../protocol/wait-closed.js';

/** How long an answered client may take to close its side before the bridge closes it anyway. */
export const LINGER_MS = 1000;

/**
 * UPG-20: ends the client connection after a complete answer (`last`, if given, is written first)
 * and closes it once the client has closed its side too, or after LINGER_MS. Until then the
 * client's input is read and dropped: closing a socket with unread input would make the kernel
 * reset it and could cost the client the tail of the answer.
 */
export function closeAfterAnswer(client: Duplex, last?: Buffer): Promise<void> {
  swallowErrors(client);
  if (client.destroyed) return waitClosed(client);
  const closed = waitClosed(client);
  const timer = setTimeout(() => client.destroy(), LINGER_MS);
  const settle = (): void => {
    if (client.readableEnded && client.writableFinished) client.destroy();
  };
  client.on('end', settle);
  client.on('finish', settle);
  client.once('error', () => client.destroy());
  client.once('close', () => clearTimeout(timer));
  client.resume();
  if (last === undefined) client.end();
  else client.end(last);
  settle();
  return closed;
}
