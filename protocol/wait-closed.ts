import type { Duplex } from 'node:stream';

interface StreamStates {
  readonly _readableState?: { readonly closeEmitted?: boolean };
  readonly _writableState?: { readonly closeEmitted?: boolean };
}

/** True once the stream has emitted 'close' (`closed` turns true a tick earlier, before the event). */
export function hasEmittedClose(stream: Duplex): boolean {
  const states = stream as unknown as StreamStates;
  return states._readableState?.closeEmitted === true || states._writableState?.closeEmitted === true;
}

/** Resolves once the stream has emitted 'close' (at once if it already has). */
export function waitClosed(stream: Duplex): Promise<void> {
  if (hasEmittedClose(stream)) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}
