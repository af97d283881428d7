import type { Duplex } from 'node:stream';

/**
 * Where a guest accepts connections: a `net.Server` / `http.Server` (anything that takes a
 * connection through `emit('connection', socket)`) or a plain function.
 */
export type GuestSink = { emit(event: 'connection', socket: Duplex): unknown } | ((socket: Duplex) => void);

/** Hands an accepted connection to a guest sink. */
export function deliverToGuest(sink: GuestSink, socket: Duplex): void {
  if (typeof sink === 'function') sink(socket);
  else sink.emit('connection', socket);
}
