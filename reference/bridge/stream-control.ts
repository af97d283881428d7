import type { Duplex } from 'node:stream';

/** A listener registry that can be undone in one call. */
export class Listeners {
  readonly #undo: (() => void)[] = [];

  on(stream: Duplex, event: string, listener: (...args: never[]) => void): void {
    const fn = listener as (...args: unknown[]) => void;
    stream.on(event, fn);
    this.#undo.push(() => stream.off(event, fn));
  }

  removeAll(): void {
    for (const undo of this.#undo.splice(0)) undo();
  }
}

const ignore = (): void => {};

/** Keeps a stream from crashing the process with an unhandled 'error' once nobody else listens. */
export function swallowErrors(stream: Duplex): void {
  if (!stream.listeners('error').includes(ignore)) stream.on('error', ignore);
}

/** Closes abortively where the transport can (a reset the peer reads as an error), else destroys. */
export function resetStream(stream: Duplex): void {
  if (stream.destroyed) return;
  const resettable = stream as Duplex & { resetAndDestroy?: () => unknown };
  if (typeof resettable.resetAndDestroy === 'function') {
    try {
      resettable.resetAndDestroy();
      return;
    } catch {
      // net.Socket refuses to reset a unix socket: a plain close is the next best thing.
    }
  }
  stream.destroy();
}

/** True when both halves of the stream are over: its input ended and its output flushed. */
export function isSpent(stream: Duplex): boolean {
  return stream.readableEnded && stream.writableFinished;
}
