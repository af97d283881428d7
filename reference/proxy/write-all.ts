import type { Duplex } from 'node:stream';
import { BerthError } from '../../protocol/errors.js';

/** The peer went away while the proxy still had bytes for it. */
export class PeerGoneError extends BerthError {
  readonly code = 'ERR_PROXY_PEER_GONE';
}

/** Writes `data` and waits while the peer's buffer is full; rejects once the peer is gone. */
export async function writeAll(stream: Duplex, data: Uint8Array): Promise<void> {
  if (stream.destroyed || stream.writableEnded) throw new PeerGoneError('the stream is closed');
  if (stream.write(data)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', gone);
      resolve();
    };
    const gone = (): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', gone);
      reject(new PeerGoneError('the stream closed while the proxy was writing to it'));
    };
    stream.on('drain', done);
    stream.on('close', gone);
  });
}
