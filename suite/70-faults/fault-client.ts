import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import { StreamObserver } from '../../protocol/stream-observer.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import { attachLog, TRANSCRIPT_TEXT_LIMIT } from '../support/transcript.js';

/** An answer as the client has it so far: head, and the body decoded as far as it goes. */
export interface PartialAnswer {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** The body so far, de-chunked when the answer is chunked. */
  readonly body: Buffer;
  /** Everything after the head, as received. */
  readonly raw: Buffer;
  /** The answer is whole by its own framing (Content-Length reached, last chunk seen, or a 101). */
  readonly complete: boolean;
  header(name: string): string | undefined;
}

/** De-chunks as far as `raw` goes; `done` once the last chunk and its CRLF are in. */
function dechunk(raw: Buffer): { body: Buffer; done: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return { body: Buffer.concat(parts), done: false };
    const size = Number.parseInt(raw.toString('latin1', at, lineEnd).split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), done: false };
    at = lineEnd + 2;
    if (size === 0) return { body: Buffer.concat(parts), done: raw.indexOf('\r\n', at, 'latin1') >= 0 };
    parts.push(raw.subarray(at, Math.min(at + size, raw.length)));
    if (raw.length < at + size + 2) return { body: Buffer.concat(parts), done: false };
    at += size + 2;
  }
}

/** Parses the first answer in `bytes`; undefined while its head is incomplete. */
export function parseAnswer(bytes: Buffer): PartialAnswer | undefined {
  const end = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = bytes.toString('latin1', 0, end).split('\r\n');
  const headers = lines.map((line): readonly [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const header = (name: string): string | undefined =>
    headers.find(([field]) => field.toLowerCase() === name.toLowerCase())?.[1];
  const status = Number(statusLine.split(' ')[1]);
  const raw = bytes.subarray(end + 4);
  let body = raw;
  let complete = false;
  if (status === 101) complete = true;
  else if (/chunked/i.test(header('transfer-encoding') ?? '')) ({ body, done: complete } = dechunk(raw));
  else if (header('content-length') !== undefined) {
    const length = Number(header('content-length'));
    body = raw.subarray(0, length);
    complete = raw.length >= length;
  }
  return { status, headers, body, raw, complete, header };
}

/** A raw HTTP/1.1 connection to the proxy: what was received, and how the connection ended. */
export class FaultClient extends StreamObserver {
  #chunks: Buffer[] = [];
  readonly #sent: Buffer[] = [];

  private constructor(readonly socket: Socket) {
    super(socket);
    attachLog(
      'proxy (raw connection)',
      () => Buffer.concat(this.#sent).subarray(0, TRANSCRIPT_TEXT_LIMIT).toString('latin1'),
      () => this.bytes.subarray(0, TRANSCRIPT_TEXT_LIMIT).toString('latin1'),
    );
  }

  protected onChunk(chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  /** Connects to the proxy's socket (half-open capable). */
  static open(socketPath: string): Promise<FaultClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path: socketPath, allowHalfOpen: true });
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new FaultClient(socket));
      });
      socket.once('error', reject);
    });
  }

  get bytes(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /** The first answer, as far as it has arrived. */
  get answer(): PartialAnswer | undefined {
    return parseAnswer(this.bytes);
  }

  /** The connection is over for reading: FIN, reset or close. */
  get finished(): boolean {
    return this.ended || this.error !== undefined || this.closed;
  }

  send(bytes: string | Buffer): void {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    this.#sent.push(data);
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Waits until `condition` holds; fails the clause naming `what` after `timeoutMs`. */
  until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return this.waitFor(condition, timeoutMs, () => {
      const seen = JSON.stringify(this.bytes.toString('latin1').slice(0, 300));
      const how = this.finished ? 'closed' : 'still open';
      return new ClauseViolationError(
        `expected ${what} within ${timeoutMs} ms; received ${seen}, connection ${how}`,
      );
    });
  }

  /** Waits for a whole first answer, or the end of the connection. */
  async settled(timeoutMs: number): Promise<PartialAnswer | undefined> {
    await this.until(
      () => this.answer?.complete === true || this.finished,
      'an answer or the end of the connection',
      timeoutMs,
    );
    return this.answer;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
