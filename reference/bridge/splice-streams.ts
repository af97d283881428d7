import type { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { StreamResetError } from './bridge-errors.js';
import { isSpent, Listeners, resetStream, swallowErrors } from './stream-control.js';
import { waitClosed } from '../../protocol/wait-closed.js';

export interface SpliceResult {
  /** Set when a side failed and the other was reset (UPG-17). */
  readonly error?: StreamResetError;
}

/**
 * One direction: `first`, then everything `from` sends, written to `to`, the FIN passed on with
 * end(); a full writer pauses its reader (UPG-21) until it drains. `done` once `to` has finished.
 */
function pump(
  listeners: Listeners,
  isOver: () => boolean,
  from: Duplex,
  to: Duplex,
  first: Buffer,
  done: () => void,
): void {
  const resume = (): void => {
    if (!isOver()) from.resume();
  };
  const write = (chunk: Buffer): void => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', resume);
    }
  };
  listeners.on(from, 'data', (chunk: Buffer) => write(chunk));
  listeners.on(from, 'end', () => to.end());
  listeners.on(to, 'finish', done);
  if (first.length > 0) write(first);
  if (from.readableEnded) to.end();
  else if (to.writableNeedDrain) from.pause();
  else from.resume();
}

/**
 * UPG-11: relays bytes both ways between the client and the guest until both directions are over,
 * then closes both. Each direction ends on its own (UPG-12, UPG-13: a FIN is passed on with end()
 * and the other direction keeps flowing); `toClient` and `toGuest` go out before anything read
 * later (UPG-14, UPG-15); a full writer pauses its reader (UPG-21); a failure on either side
 * resets the other (UPG-17). Resolves once both streams have closed; never rejects.
 */
export function spliceStreams(
  client: Duplex,
  guest: Duplex,
  toClient: Buffer,
  toGuest: Buffer,
): Promise<SpliceResult> {
  swallowErrors(client);
  swallowErrors(guest);
  const listeners = new Listeners();
  let error: StreamResetError | undefined;
  let over = false;
  let upDone = false; // client → guest, FIN included, has been written
  let downDone = false; // guest → client, FIN included, has been written

  return new Promise((resolve) => {
    const finish = (failure?: { side: 'client' | 'guest'; cause?: unknown }): void => {
      if (over) return;
      over = true;
      listeners.removeAll();
      if (failure === undefined) {
        client.destroy();
        guest.destroy();
      } else {
        error = new StreamResetError(
          failure.side,
          failure.cause === undefined ? undefined : { cause: failure.cause },
        );
        // UPG-17: the failed side is torn down; the other learns of it by a reset, not a clean end.
        const [failed, other] = failure.side === 'client' ? [client, guest] : [guest, client];
        failed.destroy();
        resetStream(other);
      }
      void Promise.all([waitClosed(client), waitClosed(guest)]).then(() =>
        resolve(error === undefined ? {} : { error }),
      );
    };
    const check = (): void => {
      if (upDone && downDone) finish();
    };

    const onError = (side: 'client' | 'guest') => (cause: Error) => {
      // The guest refusing more input after its output is complete (stdin written after the
      // process exited) ends the client's direction, it does not spoil the exchange.
      if (side === 'guest' && downDone) {
        upDone = true;
        check();
        return;
      }
      finish({ side, cause });
    };
    const onClose = (side: 'client' | 'guest', stream: Duplex) => () => {
      // A guest gone after its output is complete can take no more input: that direction is over.
      if (side === 'guest' && downDone) upDone = true;
      // A stream whose both halves are over closes by itself; any other close was imposed on it.
      else if (!isSpent(stream)) return finish({ side });
      check();
    };
    listeners.on(client, 'error', onError('client'));
    listeners.on(guest, 'error', onError('guest'));
    listeners.on(client, 'close', onClose('client', client));
    listeners.on(guest, 'close', onClose('guest', guest));

    if (client.destroyed || guest.destroyed) {
      finish({ side: client.destroyed ? 'client' : 'guest' });
      return;
    }
    const isOver = (): boolean => over;
    pump(listeners, isOver, client, guest, toGuest, () => {
      upDone = true;
      check();
    });
    pump(listeners, isOver, guest, client, toClient, () => {
      downDone = true;
      check();
    });
  });
}
