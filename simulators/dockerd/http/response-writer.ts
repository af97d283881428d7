import { Buffer } from 'node:buffer';
import { encodeChunk, LAST_CHUNK } from '../../http/chunked-encoder.js';
import { formatHttpDate } from '../engine/clock.js';
import { GoHeader } from './go-header.js';
import { bodyAllowedForStatus, sniffContentType, statusText } from './status-text.js';

/** Go's bufferBeforeChunkingSize: a body up to this size is sent with a Content-Length. */
export const BUFFER_BEFORE_CHUNKING = 2048;

/** What the response writer needs from its connection. */
export interface ResponseChannel {
  readonly method: string;
  /** "HTTP/1.1" or "HTTP/1.0" (no chunking for 1.0: the body ends with the connection). */
  readonly version: string;
  /** Runs right before the head is written (the unread request body is dealt with then). */
  beforeHead(): Promise<void>;
  /** True when the connection closes after this response. */
  readonly closeAfterReply: boolean;
  /** Marks the connection to close after this response. */
  markClose(): void;
  /** Writes bytes (waiting for the transport to accept them); rejects when the socket is gone. */
  send(data: Buffer): Promise<void>;
  now(): number;
}

/**
 * An http.ResponseWriter with net/http's wire behaviour: handler headers sorted, then Date,
 * Content-Length (bodies up to 2048 bytes written before the handler ends), a sniffed
 * Content-Type, Connection: close, Transfer-Encoding: chunked (anything flushed or bigger).
 */
export class ResponseWriter {
  readonly header = new GoHeader();
  readonly #channel: ResponseChannel;
  #status = 0;
  #headSent = false;
  #chunked = false;
  #buffer: Buffer[] = [];
  #buffered = 0;
  #finished = false;

  constructor(channel: ResponseChannel) {
    this.#channel = channel;
  }

  get headSent(): boolean {
    return this.#headSent;
  }

  get finished(): boolean {
    return this.#finished;
  }

  get status(): number {
    return this.#status;
  }

  /** WriteHeader: the first call wins. */
  writeHead(status: number): void {
    if (this.#status === 0) this.#status = status;
  }

  /** Write: buffered up to 2048 bytes, then chunks. */
  async write(data: Buffer | string): Promise<void> {
    let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.writeHead(200);
    if (!bodyAllowedForStatus(this.#status) || bytes.length === 0) return;
    // bufio.Writer.Write with a 2048-byte buffer in front of the chunk writer.
    while (bytes.length > BUFFER_BEFORE_CHUNKING - this.#buffered) {
      if (this.#buffered === 0) {
        await this.#emit(bytes, false);
        return;
      }
      const room = BUFFER_BEFORE_CHUNKING - this.#buffered;
      this.#buffer.push(bytes.subarray(0, room));
      this.#buffered += room;
      bytes = bytes.subarray(room);
      await this.#flushBuffer(false);
    }
    this.#buffer.push(bytes);
    this.#buffered += bytes.length;
  }

  /** http.Flusher: sends the head (chunked) and what is buffered. */
  async flush(): Promise<void> {
    this.writeHead(200);
    await this.#flushBuffer(false);
  }

  /** The handler returned: send what is left and end the body. */
  async end(): Promise<void> {
    if (this.#finished) return;
    this.writeHead(200);
    await this.#flushBuffer(true);
    if (this.#chunked) await this.#channel.send(LAST_CHUNK);
    this.#finished = true;
  }

  async #flushBuffer(handlerDone: boolean): Promise<void> {
    const data = this.#buffered === 0 ? Buffer.alloc(0) : Buffer.concat(this.#buffer);
    this.#buffer = [];
    this.#buffered = 0;
    await this.#emit(data, handlerDone);
  }

  async #emit(data: Buffer, handlerDone: boolean): Promise<void> {
    // Like net/http's buffered writer: the head and the first body bytes leave in one write.
    const head = this.#headSent ? undefined : await this.#buildHead(data, handlerDone);
    const parts = head === undefined ? [] : [head];
    if (data.length > 0 && this.#channel.method !== 'HEAD' && bodyAllowedForStatus(this.#status)) {
      parts.push(this.#chunked ? encodeChunk(data) : data);
    }
    if (parts.length > 0) await this.#channel.send(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  async #buildHead(first: Buffer, handlerDone: boolean): Promise<Buffer> {
    await this.#channel.beforeHead();
    this.#headSent = true;
    const channel = this.#channel;
    const status = this.#status;
    const header = this.header;
    const allowed = bodyAllowedForStatus(status);
    // RFC 7232 §4.1: net/http drops representation headers from a 304.
    if (status === 304)
      for (const key of ['Content-Type', 'Content-Length', 'Transfer-Encoding']) header.delete(key);
    let extra = '';
    if (!header.has('Date')) extra += `Date: ${formatHttpDate(channel.now())}\r\n`;
    const hasLength = header.has('Content-Length');
    if (handlerDone && allowed && !hasLength && (channel.method !== 'HEAD' || first.length > 0)) {
      extra += `Content-Length: ${first.length}\r\n`;
    } else if (!handlerDone && allowed && !hasLength) {
      if (channel.version === 'HTTP/1.1') this.#chunked = true;
      else channel.markClose();
    }
    if (!header.has('Content-Type') && allowed && first.length > 0)
      extra += `Content-Type: ${sniffContentType(first)}\r\n`;
    if (channel.closeAfterReply && channel.version === 'HTTP/1.1') extra += 'Connection: close\r\n';
    if (this.#chunked) extra += 'Transfer-Encoding: chunked\r\n';
    const head = `${channel.version} ${status} ${statusText(status)}\r\n${header.lines()}${extra}\r\n`;
    return Buffer.from(head, 'latin1');
  }
}
