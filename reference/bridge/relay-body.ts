import type { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { GuestBodyError, StreamResetError } from './bridge-errors.js';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import { ChunkedDecoder } from '../../protocol/http/chunked-decoder.js';
import { encodeChunk, LAST_CHUNK } from '../../protocol/http/chunked-encoder.js';
import { closeAfterAnswer } from './close-after-answer.js';
import { Listeners, resetStream, swallowErrors } from './stream-control.js';
import { waitClosed } from '../../protocol/wait-closed.js';

export interface RelayBodyResult {
  readonly error?: GuestBodyError | StreamResetError;
}

/**
 * UPG-9: relays a non-101 answer whole: the client's head, then the guest's body as its framing
 * delimits it (Content-Length bytes, the chunks re-encoded, or everything up to the guest's close),
 * however large. UPG-19: the guest may stay silent at most `idleMs` at a time. A body that stops
 * short (EOF, reset, silence, bad chunking) resets the client, so it cannot pass for a whole one.
 * Resolves once both connections have closed; never rejects.
 */
export function relayBody(
  client: Duplex,
  guest: Duplex,
  clientHead: Buffer,
  rest: Buffer,
  framing: BodyFraming,
  idleMs: number,
): Promise<RelayBodyResult> {
  swallowErrors(client);
  swallowErrors(guest);
  const listeners = new Listeners();
  const decoder = framing.kind === 'chunked' ? new ChunkedDecoder() : undefined;
  let remaining = framing.kind === 'length' ? framing.length : Number.POSITIVE_INFINITY;
  let relayed = 0;
  let over = false;
  let timer: NodeJS.Timeout | undefined;

  return new Promise((resolve) => {
    const done = (error?: GuestBodyError | StreamResetError): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      listeners.removeAll();
      guest.destroy();
      if (error === undefined) {
        const last = framing.kind === 'chunked' ? LAST_CHUNK : undefined;
        void Promise.all([closeAfterAnswer(client, last), waitClosed(guest)]).then(() => resolve({}));
      } else {
        resetStream(client);
        void Promise.all([waitClosed(client), waitClosed(guest)]).then(() => resolve({ error }));
      }
    };
    const stop = (reason: GuestBodyError['reason'], cause?: unknown): void =>
      done(new GuestBodyError(reason, relayed, cause === undefined ? undefined : { cause }));
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => stop('timeout'), idleMs);
    };

    const send = (payload: Buffer): void => {
      if (payload.length === 0) return;
      relayed += payload.length;
      const bytes = decoder === undefined ? payload : encodeChunk(payload);
      if (!client.write(bytes)) {
        // UPG-21: a client that reads slowly slows the guest down instead of filling memory; the
        // guest's silence meanwhile is the client's doing, so the idle clock stops (UPG-19).
        guest.pause();
        clearTimeout(timer);
        client.once('drain', () => {
          if (over) return;
          arm();
          guest.resume();
        });
      }
    };
    const take = (chunk: Buffer): void => {
      arm();
      if (decoder !== undefined) {
        let result;
        try {
          result = decoder.push(chunk);
        } catch (error) {
          return stop('malformed', error);
        }
        for (const payload of result.data) send(payload);
        if (result.done) done();
        return;
      }
      const payload = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= payload.length;
      send(payload);
      if (remaining === 0) done();
    };

    listeners.on(client, 'error', (cause: Error) => done(new StreamResetError('client', { cause })));
    listeners.on(client, 'close', () => done(new StreamResetError('client')));
    listeners.on(guest, 'error', (cause: Error) => stop('reset', cause));
    listeners.on(guest, 'end', () => (framing.kind === 'close' ? done() : stop('ended')));
    listeners.on(guest, 'data', take);

    client.write(clientHead);
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0)) {
      done();
      return;
    }
    if (rest.length > 0) take(rest);
    if (over) return;
    if (guest.readableEnded) {
      if (framing.kind === 'close') done();
      else stop('ended');
    } else if (client.writableNeedDrain) {
      client.once('drain', () => {
        if (over) return;
        arm();
        guest.resume();
      });
    } else {
      arm();
      guest.resume();
    }
  });
}
