import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { getHeader } from '../../protocol/header-list.js';
import { parseHeadLines, scanHead } from '../../protocol/http-head-lines.js';
import type { ResponseHead } from '../../protocol/http-head.js';
import { BerthError } from '../../protocol/errors.js';
import { RequestBody } from './http/request-body.js';
import { SocketReader } from './http/socket-reader.js';

/** The test client saw something that is not HTTP, or the connection ended too early. */
export class RawClientError extends BerthError {
  readonly code = 'ERR_DOCKERD_TEST_RAW_CLIENT';
}

export type Framing = 'content-length' | 'chunked' | 'close' | 'none';

export interface RawResponse {
  readonly head: ResponseHead;
  readonly status: number;
  /** Header value by name (case-insensitive). */
  header(name: string): string | undefined;
  /** Header names in wire order. */
  readonly headerNames: readonly string[];
  readonly framing: Framing;
  readonly body: Buffer;
  /** The body as text. */
  readonly text: string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/**
 * A byte-level HTTP/1.1 client over one connection, for checking exactly what the simulated
 * dockerd sends: heads in wire order, framing, hijacked streams and half-close.
 */
export class RawConnection {
  readonly socket: Duplex;
  readonly reader: SocketReader;

  private constructor(socket: Duplex) {
    this.socket = socket;
    this.reader = new SocketReader(socket);
    socket.on('error', () => undefined);
  }

  /** Connects to a unix socket path. */
  static open(path: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect({ path, allowHalfOpen: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Wraps an already connected duplex (an in-memory socket). */
  static over(socket: Duplex): RawConnection {
    return new RawConnection(socket);
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  /** Sends a request (a Host header is added unless given). */
  async request(
    method: string,
    target: string,
    options: {
      headers?: readonly (readonly [string, string])[];
      body?: string | Buffer;
      json?: unknown;
    } = {},
  ): Promise<void> {
    const headers = [...(options.headers ?? [])];
    if (!headers.some(([name]) => name.toLowerCase() === 'host')) headers.unshift(['Host', 'docker']);
    let body = options.body === undefined ? undefined : Buffer.from(options.body);
    if (options.json !== undefined) {
      headers.push(['Content-Type', 'application/json']);
      body = Buffer.from(JSON.stringify(options.json));
    }
    if (body && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))) {
      headers.push(['Content-Length', String(body.length)]);
    }
    const head = `${method} ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    await this.write(body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head);
  }

  /** Half-closes (FIN): we send nothing more but keep reading. */
  end(): void {
    this.socket.end();
  }

  /** Reads one response head. */
  async readHead(): Promise<ResponseHead> {
    let buffer: Buffer = Buffer.alloc(0);
    for (;;) {
      const chunk = await this.reader.read();
      if (chunk === null)
        throw new RawClientError(`connection ended before a response head (${buffer.length} bytes)`);
      buffer = Buffer.concat([buffer, chunk]);
      const scan = scanHead(buffer, 0);
      if (scan.kind === 'end') {
        this.reader.unshift(buffer.subarray(scan.end));
        const parsed = parseHeadLines('response', buffer.subarray(0, scan.end));
        if (!parsed.ok) throw new RawClientError(`bad response head: ${parsed.error.message}`);
        return parsed.head;
      }
      if (scan.kind === 'bare-lf') throw new RawClientError('bare LF in response head');
    }
  }

  /** The raw text of the next head (through its CRLFCRLF); what follows stays unread. */
  async readRawHead(): Promise<string> {
    const data = await this.readUntil((bytes) => bytes.includes('\r\n\r\n'));
    const end = data.indexOf('\r\n\r\n') + 4;
    this.reader.unshift(data.subarray(end));
    return data.subarray(0, end).toString('latin1');
  }

  /** Reads one whole response (the body per its framing). */
  async readResponse(method = 'GET'): Promise<RawResponse> {
    const head = await this.readHead();
    const length = getHeader(head.headers, 'content-length');
    const chunked = getHeader(head.headers, 'transfer-encoding')?.toLowerCase() === 'chunked';
    let framing: Framing;
    let body: Buffer;
    const noBody = method === 'HEAD' || head.status === 204 || head.status === 304 || head.status < 200;
    if (noBody) {
      framing = length !== undefined ? 'content-length' : chunked ? 'chunked' : 'none';
      body = Buffer.alloc(0);
    } else if (chunked) {
      framing = 'chunked';
      body = await new RequestBody(this.reader, { chunked: true }).readAll();
    } else if (length !== undefined) {
      framing = 'content-length';
      body = await new RequestBody(this.reader, { length: Number(length) }).readAll();
    } else {
      framing = 'close';
      body = await this.readToEnd();
    }
    return toResponse(head, framing, body);
  }

  /** Everything until the peer's FIN. */
  async readToEnd(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let chunk = await this.reader.read(); chunk; chunk = await this.reader.read()) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** Reads until `predicate` holds for what was read so far (rejects at end of stream). */
  async readUntil(predicate: (data: Buffer) => boolean): Promise<Buffer> {
    let data: Buffer = Buffer.alloc(0);
    while (!predicate(data)) {
      const chunk = await this.reader.read();
      if (chunk === null) throw new RawClientError(`stream ended after ${data.length} bytes`);
      data = Buffer.concat([data, chunk]);
    }
    return data;
  }

  /** Destroys the socket and waits until it has closed. */
  async close(): Promise<void> {
    if (!this.socket.closed) {
      const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
      this.socket.destroy();
      await closed;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function toResponse(head: ResponseHead, framing: Framing, body: Buffer): RawResponse {
  return {
    head,
    status: head.status,
    header: (name) => getHeader(head.headers, name),
    headerNames: head.headers.map(([name]) => name),
    framing,
    body,
    text: body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}

/** One request on a fresh connection, its response, and the connection closed. */
export async function rawRequest(
  path: string,
  method: string,
  target: string,
  options: { headers?: readonly (readonly [string, string])[]; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const connection = await RawConnection.open(path);
  try {
    await connection.request(method, target, options);
    return await connection.readResponse(method);
  } finally {
    await connection.close();
  }
}
