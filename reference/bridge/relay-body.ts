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

/** The payload in one read of the guest, and whether the body ends with it. */
interface CutPayload {
  readonly data: readonly Buffer[];
  readonly done: boolean;
}

/**
 * Cuts what the guest sends into payload by the framing: the chunks decoded (a defect throws), or
 * at most the Content-Length; a body that runs until close is never done by its bytes.
 */
function createPayloadCutter(framing: BodyFraming): (chunk: Buffer) => CutPayload {
  if (framing.kind === 'chunked') {
    const decoder = new ChunkedDecoder();
    return (chunk) => {
      const result = decoder.push(chunk);
      return { data: result.data, done: result.done };
    };
  }
  let remaining = framing.kind === 'length' ? framing.length : Number.POSITIVE_INFINITY;
  return (chunk) => {
    const payload = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    remaining -= payload.length;
    return { data: [payload], done: remaining === 0 };
  };
}

/** UPG-21: reads the guest again once the client has drained, the idle clock (UPG-19) restarted. */
function resumeOnDrain(client: Duplex, guest: Duplex, isOver: () => boolean, arm: () => void): void {
  client.once('drain', () => {
    if (isOver()) return;
    arm();
    guest.resume();
  });
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
  const cut = createPayloadCutter(framing);
  const chunked = framing.kind === 'chunked';
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
      if (!client.write(chunked ? encodeChunk(payload) : payload)) {
        // UPG-21: a client that reads slowly slows the guest down instead of filling memory; the
        // guest's silence meanwhile is the client's doing, so the idle clock stops (UPG-19).
        guest.pause();
        clearTimeout(timer);
        resumeOnDrain(client, guest, isOver, arm);
      }
    };
    const isOver = (): boolean => over;
    const take = (chunk: Buffer): void => {
      arm();
      let result: CutPayload;
      try {
        result = cut(chunk);
      } catch (error) {
        return stop('malformed', error);
      }
      for (const payload of result.data) send(payload);
      if (result.done) done();
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
      resumeOnDrain(client, guest, isOver, arm);
    } else {
      arm();
      guest.resume();
    }
  });
}
