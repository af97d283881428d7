import type { Duplex, Readable, Writable } from 'node:stream';
import { ClauseViolationError } from './suite-errors.js';

/** Reads a stream to its end and resolves with every byte; rejects on a stream error. */
export function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** How a readable stream ended: cleanly ('end'), with an error, or by closing without either. */
export type Ending =
  | { readonly kind: 'end'; readonly data: Buffer }
  | { readonly kind: 'error'; readonly error: Error; readonly data: Buffer }
  | { readonly kind: 'close'; readonly data: Buffer };

/** Resolves with the first of 'end', 'error' or 'close', and the bytes read before it. */
export function ending(stream: Readable): Promise<Ending> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const data = (): Buffer => Buffer.concat(chunks);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve({ kind: 'end', data: data() }));
    stream.once('error', (error: Error) => resolve({ kind: 'error', error, data: data() }));
    stream.once('close', () => resolve({ kind: 'close', data: data() }));
  });
}

/** Writes and resolves once the chunk has been handed to the transport. */
export function write(stream: Writable, chunk: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

/** A deterministic byte pattern of `size` bytes (every byte value occurs). */
export function patternBytes(size: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < size; index += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

/** A guest that echoes every byte and passes the client's FIN back (pipe ends its writer at EOF). */
export function echoGuest(socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
}

/**
 * Resolves as `promise` does, or fails the clause (outcome `fail`, not a harness timeout) when it
 * has not settled within `timeoutMs`: a target that hangs has broken the clause.
 */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ClauseViolationError(`expected ${what} within ${timeoutMs} ms; nothing happened`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
