import { Buffer } from 'node:buffer';
import { encodeFrame } from '../../../protocol/stdcopy-encoder.js';
import type { LogStream } from '../engine/log-store.js';
import type { StreamSink } from '../engine/output-hub.js';
import type { StdinTarget } from '../engine/tty-stdin.js';
import { finishSocket, type Hijacked } from '../http/serve-connection.js';

/** A hijacked connection as a sink of process output: stdcopy frames (DKR-18) or raw TTY bytes. */
export interface HijackSink extends StreamSink {
  /** Resolves when the output ended (the process exited, or the attach was ended). */
  readonly ended: Promise<void>;
  /** True once a write failed (the client went away). */
  readonly broken: boolean;
}

export function createHijackSink(
  hijacked: Hijacked,
  options: { readonly multiplexed: boolean; readonly stdout: boolean; readonly stderr: boolean },
): HijackSink {
  let broken = false;
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    stdout: options.stdout,
    stderr: options.stderr,
    get broken() {
      return broken;
    },
    ended,
    async write(stream: LogStream, data: Buffer) {
      if (broken) return;
      const bytes = options.multiplexed ? encodeFrame(stream, data) : data;
      await hijacked.send(bytes).catch(() => {
        broken = true;
      });
    },
    end() {
      finish();
    },
  };
}

/**
 * Copies what the client sends on a hijacked connection into a process's stdin, pausing while
 * the pipe is full. Resolves at the client's FIN (or a socket error), or when `stop` is called.
 */
export function pumpStdin(
  hijacked: Hijacked,
  pipe: StdinTarget,
): { readonly done: Promise<void>; stop(): void } {
  let stopped = false;
  let wake: (() => void) | undefined;
  const done = (async () => {
    for (;;) {
      if (stopped) return;
      let chunk: Buffer | null;
      try {
        chunk = await Promise.race([
          hijacked.reader.read(),
          new Promise<null>((resolve) => {
            wake = () => resolve(null);
          }),
        ]);
      } catch {
        return;
      }
      if (chunk === null || stopped) return;
      if (!pipe.write(chunk) && !pipe.ended) {
        await new Promise<void>((resolve) => {
          const off = pipe.onDrain(resolve);
          wake = () => {
            off();
            resolve();
          };
        });
      }
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      wake?.();
      hijacked.reader.wakeAll();
    },
  };
}

/** Ends a hijacked stream the way dockerd does: FIN (CloseWrite), then close when the client is done. */
export function closeHijacked(hijacked: Hijacked): void {
  finishSocket(hijacked.socket, 30_000);
}

/** The raw error answer written on a hijacked attach connection (DKR-19). */
export function rawErrorHead(status: number, reason: string, message: string): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n${message}\r\n`,
    'utf8',
  );
}
