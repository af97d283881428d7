import type { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import type { HeaderList } from '../../protocol/header-list.js';
import { RawConnection } from '../support/http/raw-connection.js';

/** An answer as the client has it so far: head, and the body decoded as far as it goes. */
export interface PartialAnswer {
  readonly status: number | undefined;
  readonly headers: HeaderList;
  /** The body so far, de-chunked when the answer is chunked. */
  readonly body: Buffer;
  /** Everything after the head, as received. */
  readonly raw: Buffer;
  /**
   * The answer is whole by its own framing (Content-Length reached, last chunk seen, or a 101:
   * its head is the whole answer, the stream that follows is not part of it). A body delimited
   * only by the close never counts as whole: a cut-short answer looks the same.
   */
  readonly complete: boolean;
  header(name: string): string | undefined;
}

/**
 * A raw HTTP/1.1 connection to the proxy (the suite's raw client): what was received, parsed with
 * the suite's tolerant reader, and how the connection ended.
 */
export class FaultClient {
  private constructor(readonly connection: RawConnection) {}

  /** Connects to the proxy's socket (half-open capable). */
  static async open(socketPath: string): Promise<FaultClient> {
    return new FaultClient(await RawConnection.open(socketPath, { peer: 'proxy' }));
  }

  get socket(): Socket {
    return this.connection.socket;
  }

  get bytes(): Buffer {
    return this.connection.bytes;
  }

  /** The first answer, as far as it has arrived. */
  get answer(): PartialAnswer | undefined {
    const answer = this.connection.answer;
    if (answer === undefined) return undefined;
    const complete =
      answer.framing === 'hijack' ? true : answer.framing === 'close' ? false : answer.complete;
    return {
      status: answer.status,
      headers: answer.head.headers,
      body: answer.body,
      raw: answer.afterHead,
      complete,
      header: answer.header,
    };
  }

  /** The connection is over for reading: FIN, reset or close. */
  get finished(): boolean {
    return this.connection.finished;
  }

  send(bytes: string | Buffer): void {
    this.connection.send(bytes);
  }

  /** Waits until `condition` holds; fails the clause naming `what` after `timeoutMs`. */
  until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return this.connection.until(() => condition(), what, timeoutMs);
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
    this.connection.close();
  }
}
