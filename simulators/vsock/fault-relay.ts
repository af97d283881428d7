import type { Duplex } from 'node:stream';
import type { ConnectionLog, ConnectionOutcome } from './connection-log.js';
import { GARBAGE_BYTES, type TransportFault } from '../../protocol/faults.js';
import { isMemorySocket, resetMemorySocket, type MemorySocket } from './memory-duplex-pair.js';
import { waitClosed } from '../../protocol/wait-closed.js';

/** Guest output queued in the relay above this many bytes pauses the guest. */
const QUEUE_HIGH_WATER = 64 * 1024;

interface RelayPlan {
  readonly blackHole: boolean;
  readonly resetToGuest: number | undefined;
  readonly resetToClient: number | undefined;
  readonly garbage: { readonly bytes: Buffer; readonly afterBytes: number } | undefined;
  readonly halfCloseAfter: number | undefined;
  readonly drip: { readonly chunkBytes: number; readonly intervalMs: number } | undefined;
}

function planRelay(faults: readonly TransportFault[]): RelayPlan {
  let plan: RelayPlan = {
    blackHole: false,
    resetToGuest: undefined,
    resetToClient: undefined,
    garbage: undefined,
    halfCloseAfter: undefined,
    drip: undefined,
  };
  for (const fault of faults) {
    switch (fault.kind) {
      case 'black-hole':
        plan = { ...plan, blackHole: true };
        break;
      case 'reset':
        plan =
          fault.direction === 'to-guest'
            ? { ...plan, resetToGuest: fault.afterBytes }
            : { ...plan, resetToClient: fault.afterBytes };
        break;
      case 'garbage': {
        const bytes = fault.bytes ?? GARBAGE_BYTES;
        plan = {
          ...plan,
          garbage: {
            bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes),
            afterBytes: fault.afterBytes ?? 0,
          },
        };
        break;
      }
      case 'half-close':
        plan = { ...plan, halfCloseAfter: fault.afterBytes };
        break;
      case 'drip':
        plan = { ...plan, drip: { chunkBytes: fault.chunkBytes, intervalMs: fault.intervalMs } };
        break;
      case 'refuse':
      case 'connect-delay':
      case 'connect-stall':
        break;
    }
  }
  return plan;
}

/** Resets a stream if it can be reset (memory sockets), otherwise destroys it. */
function resetStream(stream: Duplex): void {
  if (isMemorySocket(stream)) resetMemorySocket(stream);
  else stream.destroy();
}

/** Takes up to `n` bytes off the front of a queue of buffers. */
function takeBytes(queue: Buffer[], n: number): Buffer {
  const parts: Buffer[] = [];
  let taken = 0;
  while (taken < n && queue.length > 0) {
    const head = queue[0]!;
    const want = n - taken;
    if (head.length <= want) {
      parts.push(head);
      taken += head.length;
      queue.shift();
    } else {
      parts.push(head.subarray(0, want));
      queue[0] = head.subarray(want);
      taken += want;
    }
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Relays bytes between the relay's end of the client pair (`near`) and the guest stream, applying
 * the data-phase faults. Backpressure both ways; FIN passed with end(), never destroy(); errors on
 * one side reset the other.
 */
export class FaultRelay {
  /** Settles once the relay's own ends (near and guest) have closed. */
  readonly closed: Promise<void>;
  readonly #client: MemorySocket;
  readonly #near: MemorySocket;
  readonly #guest: Duplex | null;
  readonly #plan: RelayPlan;
  readonly #log: ConnectionLog;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #immediates = new Set<NodeJS.Immediate>();

  readonly #downQueue: Buffer[] = [];
  #downEof = false;
  /** No more guest output goes to the client (half-close or garbage fired). */
  #downCut = false;
  #downEnded = false;
  #downBlocked = false;
  #dripCooling = false;
  #closeAfterFin = false;
  #guestBytesSeen = 0;
  /** The relay moves no more bytes (a reset is under way, or the connection was cut). */
  #stopped = false;
  /** The connection was cut (reset, error, abrupt close or teardown): nothing more happens. */
  #terminated = false;

  constructor(
    client: MemorySocket,
    near: MemorySocket,
    guest: Duplex | null,
    faults: readonly TransportFault[],
    log: ConnectionLog,
  ) {
    this.#client = client;
    this.#near = near;
    this.#guest = guest;
    this.#plan = planRelay(faults);
    this.#log = log;

    near.on('error', () => this.#onNearError());
    near.on('data', (chunk: Buffer) => this.#onClientData(chunk));
    near.on('end', () => this.#onClientEnd());
    near.on('drain', () => {
      this.#downBlocked = false;
      this.#pumpDown();
    });
    client.once('close', () => this.#onClientClose());
    if (guest) {
      guest.on('error', () => this.#onGuestError());
      guest.on('data', (chunk: Buffer) => this.#onGuestData(chunk));
      guest.on('end', () => {
        this.#downEof = true;
        this.#pumpDown();
      });
      guest.on('drain', () => near.resume());
    }

    this.closed = Promise.all([waitClosed(near), guest ? waitClosed(guest) : undefined]).then(() => {
      this.#clearTimers();
      this.#log.settle('closed');
    });

    // Faults whose byte count is already reached at connect. A later turn, so that the caller
    // has attached its listeners before an 'error' can arrive.
    if (this.#plan.blackHole) this.#log.fire('black-hole');
    const { resetToGuest, resetToClient, halfCloseAfter } = this.#plan;
    if (resetToGuest === 0 || resetToClient === 0) {
      this.#stopped = true;
      this.#later(() => this.#reset());
    } else if (halfCloseAfter === 0) {
      this.#halfClose();
    }
  }

  /** Cuts the connection at once (closeAll): both client ends and the guest are destroyed. */
  async teardown(outcome: ConnectionOutcome): Promise<void> {
    this.#log.settle(outcome);
    this.#stop();
    this.#near.destroy();
    this.#client.destroy();
    this.#guest?.destroy();
    await Promise.all([this.closed, waitClosed(this.#client)]);
  }

  // ---- client → guest

  #onClientData(chunk: Buffer): void {
    if (this.#stopped) return;
    const guest = this.#guest;
    if (this.#plan.blackHole || !guest) {
      this.#log.bytesSwallowed += chunk.length;
      return;
    }
    if (guest.destroyed) return;
    const limit = this.#plan.resetToGuest;
    if (limit !== undefined && this.#log.bytesToGuest + chunk.length >= limit) {
      const part = chunk.subarray(0, limit - this.#log.bytesToGuest);
      this.#log.bytesToGuest += part.length;
      this.#stopped = true;
      this.#writeThen(guest, part, () => this.#reset());
      return;
    }
    this.#log.bytesToGuest += chunk.length;
    if (!guest.write(chunk)) this.#near.pause();
  }

  #onClientEnd(): void {
    const guest = this.#guest;
    if (this.#stopped || this.#plan.blackHole || !guest) return;
    // Half-close: pass the FIN on, keep relaying the guest's output.
    if (!guest.destroyed && !guest.writableEnded) guest.end();
  }

  #onClientClose(): void {
    const client = this.#client;
    if (this.#terminated || (client.readableEnded && client.writableFinished)) return;
    this.#log.settle('client-destroyed');
    this.#stop();
    this.#near.destroy();
    this.#guest?.destroy();
  }

  #onNearError(): void {
    if (this.#terminated) return;
    this.#log.settle('client-error');
    this.#stop();
    if (this.#guest) resetStream(this.#guest);
  }

  // ---- guest → client

  #onGuestData(chunk: Buffer): void {
    if (this.#stopped || this.#downCut) return;
    const garbage = this.#plan.garbage;
    if (garbage) {
      const room = garbage.afterBytes - this.#guestBytesSeen;
      if (chunk.length > room) {
        if (room > 0) this.#downQueue.push(chunk.subarray(0, room));
        this.#guestBytesSeen = garbage.afterBytes;
        this.#log.fire('garbage');
        this.#log.settle('garbage');
        this.#downQueue.push(garbage.bytes);
        this.#downCut = true;
        this.#downEof = true;
        this.#closeAfterFin = true;
        this.#guest?.destroy();
        this.#pumpDown();
        return;
      }
    }
    this.#guestBytesSeen += chunk.length;
    this.#downQueue.push(chunk);
    this.#pumpDown();
  }

  #onGuestError(): void {
    if (this.#terminated) return;
    this.#log.settle('guest-error');
    this.#stop();
    resetMemorySocket(this.#near);
  }

  #pumpDown(): void {
    if (this.#stopped) return;
    const drip = this.#plan.drip;
    while (!this.#downBlocked && !this.#stopped && this.#downQueue.length > 0) {
      if (drip) {
        if (this.#dripCooling) break;
        this.#log.fire('drip');
        this.#deliverDown(takeBytes(this.#downQueue, drip.chunkBytes));
        this.#dripCooling = true;
        this.#after(drip.intervalMs, () => {
          this.#dripCooling = false;
          this.#pumpDown();
        });
        break;
      }
      this.#deliverDown(this.#downQueue.shift()!);
    }
    if (this.#stopped) return;
    if (this.#downQueue.length === 0 && this.#downEof && !this.#downEnded) {
      this.#downEnded = true;
      if (this.#closeAfterFin) this.#near.destroySoon();
      else this.#near.end();
    }
    const guest = this.#guest;
    const queued = this.#downQueue.reduce((sum, b) => sum + b.length, 0);
    if (guest && !guest.destroyed) {
      if (this.#downBlocked || queued > QUEUE_HIGH_WATER) guest.pause();
      else if (guest.isPaused()) guest.resume();
    }
  }

  #deliverDown(bytes: Buffer): void {
    const sent = this.#log.bytesToClient;
    const { resetToClient, halfCloseAfter } = this.#plan;
    const toReset = resetToClient === undefined ? Infinity : resetToClient - sent;
    const toHalfClose = halfCloseAfter === undefined ? Infinity : halfCloseAfter - sent;
    const limit = Math.min(toReset, toHalfClose);
    if (bytes.length >= limit) {
      const part = bytes.subarray(0, limit);
      this.#log.bytesToClient += part.length;
      if (toReset <= toHalfClose) {
        this.#stopped = true;
        this.#writeThen(this.#near, part, () => this.#reset());
      } else {
        if (part.length > 0) this.#near.write(part);
        this.#halfClose();
      }
      return;
    }
    this.#log.bytesToClient += bytes.length;
    if (!this.#near.write(bytes)) this.#downBlocked = true;
  }

  // ---- fault actions

  /** half-close: the client gets a FIN; later guest output is dropped, client writes still pass. */
  #halfClose(): void {
    this.#log.fire('half-close');
    this.#downCut = true;
    this.#downEnded = true;
    this.#downQueue.length = 0;
    this.#near.end();
    this.#guest?.resume();
  }

  /** reset: the client sees ECONNRESET, the guest's side is reset (memory) or destroyed. */
  #reset(): void {
    if (this.#terminated) return;
    this.#log.fire('reset');
    this.#log.settle('reset');
    this.#stop();
    resetMemorySocket(this.#near);
    if (this.#guest) resetStream(this.#guest);
  }

  // ---- helpers

  #writeThen(stream: Duplex, bytes: Buffer, then: () => void): void {
    if (bytes.length === 0) then();
    else stream.write(bytes, () => then());
  }

  #stop(): void {
    this.#stopped = true;
    this.#terminated = true;
    this.#clearTimers();
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  #later(run: () => void): void {
    const immediate = setImmediate(() => {
      this.#immediates.delete(immediate);
      run();
    });
    this.#immediates.add(immediate);
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const immediate of this.#immediates) clearImmediate(immediate);
    this.#timers.clear();
    this.#immediates.clear();
  }
}
