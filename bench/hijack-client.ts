import { connect, type Socket } from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

/** An exec start request with `Upgrade: tcp`, as the docker CLI sends it. */
export function buildExecStartRequest(execId: string, tty = true): string {
  const body = JSON.stringify({ Detach: false, Tty: tty });
  return (
    `POST /v1.41/exec/${execId}/start HTTP/1.1\r\nHost: docker\r\nUser-Agent: berth-bench\r\n` +
    `Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

export interface Hijack {
  readonly socket: Socket;
  readonly status: number;
  /** Bytes that arrived with the 101 head. */
  readonly early: Buffer;
}

/** Connects, sends the upgrade request and resolves once the answer's head has arrived. */
export function openHijack(socketPath: string, requestText: string, timeoutMs = 10_000): Promise<Hijack> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath, allowHalfOpen: true });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`no upgrade answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(HEAD_END);
      if (end === -1) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.pause();
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(buffered.toString('latin1', 0, end))?.[1] ?? 0);
      resolve({ socket, status, early: buffered.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('connect', () => socket.write(requestText));
  });
}

/**
 * Writes `bytes` zero-filled bytes (1 MiB chunks, with backpressure), half-closes, and reads until
 * the other side ends. Resolves with bytes received and elapsed milliseconds (from the first write).
 */
export function pumpHijack(hijack: Hijack, bytes: number): Promise<{ received: number; elapsedMs: number }> {
  const { socket } = hijack;
  const chunk = Buffer.alloc(1024 * 1024);
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    let received = hijack.early.length;
    socket.on('data', (data: Buffer) => (received += data.length));
    socket.once('end', () => {
      const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
      socket.destroy();
      resolve({ received, elapsedMs });
    });
    socket.once('error', reject);
    socket.resume();
    let sent = 0;
    const write = (): void => {
      while (sent < bytes) {
        const slice = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
        sent += slice.length;
        if (!socket.write(slice)) {
          socket.once('drain', write);
          return;
        }
      }
      socket.end();
    };
    write();
  });
}
