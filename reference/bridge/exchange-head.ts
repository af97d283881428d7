import type { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { BerthError } from '../../protocol/errors.js';
import { createHeadReader } from '../../protocol/head-reader.js';
import type { ResponseHead } from '../../protocol/http-head.js';
import {
  ClientGoneError,
  GuestBadResponseError,
  GuestClosedError,
  GuestConnectionError,
  HandshakeTimeoutError,
} from './bridge-errors.js';
import { planResponse, type ResponsePlan } from './plan-response.js';
import { Listeners } from './stream-control.js';

export type ExchangeResult =
  | {
      readonly ok: true;
      readonly head: ResponseHead;
      readonly plan: Exclude<ResponsePlan, { kind: 'interim' | 'invalid' }>;
      /** C.4: bytes the guest sent after its head; they belong to what follows it. */
      readonly rest: Buffer;
    }
  /** `status`: the Docker error to answer the client with; absent when the client is gone. */
  | { readonly ok: false; readonly status?: number; readonly error: BerthError };

export interface ExchangeOptions {
  readonly method: string;
  readonly timeoutMs: number;
  readonly maxHeadBytes: number;
}

/**
 * UPG-2..8: writes the request to the guest and reads its answer's head, skipping interim 1xx
 * answers, all within `timeoutMs`. Leaves the guest paused with nothing consumed past the head but
 * `rest`, and removes every listener it added. Never rejects.
 */
export function exchangeHead(
  client: Duplex,
  guest: Duplex,
  request: Buffer,
  options: ExchangeOptions,
): Promise<ExchangeResult> {
  const listeners = new Listeners();
  const newReader = () => createHeadReader({ kind: 'response', maxBytes: options.maxHeadBytes });
  let reader = newReader();
  let received = 0;
  let over = false;

  return new Promise((resolve) => {
    const settle = (result: ExchangeResult): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      listeners.removeAll();
      guest.pause();
      resolve(result);
    };
    const fail = (status: number | undefined, error: BerthError): void =>
      settle(status === undefined ? { ok: false, error } : { ok: false, status, error });
    // UPG-8: one deadline for writing the request and reading the head.
    const timer = setTimeout(
      () => fail(504, new HandshakeTimeoutError(options.timeoutMs)),
      options.timeoutMs,
    );

    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      let state = reader.push(chunk);
      for (;;) {
        if (state.state === 'partial') return;
        if (state.state === 'error') {
          // UPG-5, UPG-6, UPG-7: a head the bridge cannot trust is the guest's fault.
          const error = state.error;
          if (error.code === 'ERR_HTTP_HEAD_INCOMPLETE')
            return fail(502, new GuestClosedError(received, { cause: error }));
          return fail(502, new GuestBadResponseError(error.message, { cause: error }));
        }
        const plan = planResponse(options.method, state.head);
        if (plan.kind === 'invalid') return fail(502, plan.error);
        if (plan.kind !== 'interim') return settle({ ok: true, head: state.head, plan, rest: state.rest });
        // An interim answer (100 Continue, 103): the final one follows on the same connection.
        reader = newReader();
        if (state.rest.length === 0) return;
        state = reader.push(state.rest);
      }
    };

    listeners.on(guest, 'data', onData);
    // UPG-4: an end before the CRLFCRLF.
    listeners.on(guest, 'end', () => {
      const end = reader.end();
      fail(
        502,
        end.state === 'error'
          ? new GuestClosedError(received, { cause: end.error })
          : new GuestClosedError(received),
      );
    });
    // UPG-3: a reset or write failure.
    listeners.on(guest, 'error', (cause: Error) => fail(502, new GuestConnectionError({ cause })));
    listeners.on(guest, 'close', () => fail(502, new GuestClosedError(received)));
    listeners.on(client, 'error', (cause: Error) => fail(undefined, new ClientGoneError({ cause })));
    listeners.on(client, 'close', () => fail(undefined, new ClientGoneError()));

    if (client.destroyed) return fail(undefined, new ClientGoneError());
    if (guest.destroyed || guest.writableEnded) return fail(502, new GuestConnectionError());
    guest.write(request);
    guest.resume();
  });
}
