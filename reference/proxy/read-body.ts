import { BerthError } from '../../protocol/errors.js';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import { ChunkedDecoder } from '../../protocol/http/chunked-decoder.js';
import type { ByteReader } from './byte-reader.js';

/** The body ended (FIN) before its framing said it would. */
export class TruncatedBodyError extends BerthError {
  readonly code = 'ERR_PROXY_BODY_TRUNCATED';
}

/**
 * Yields the payload of one message body as it arrives. Bytes past the body (the next message
 * on a keep-alive connection) are put back into the reader.
 */
export async function* readBody(reader: ByteReader, framing: BodyFraming): AsyncGenerator<Buffer> {
  if (framing.kind === 'none') return;
  if (framing.kind === 'close') {
    for (let chunk = await reader.read(); chunk !== null; chunk = await reader.read()) yield chunk;
    return;
  }
  if (framing.kind === 'length') {
    let remaining = framing.length;
    while (remaining > 0) {
      const chunk = await reader.read(remaining);
      if (chunk === null)
        throw new TruncatedBodyError(`body ended ${remaining} bytes short of its Content-Length`);
      remaining -= chunk.length;
      yield chunk;
    }
    return;
  }
  const decoder = new ChunkedDecoder();
  while (!decoder.done) {
    const chunk = await reader.read();
    if (chunk === null) throw new TruncatedBodyError('chunked body ended before its last chunk');
    const { data, rest } = decoder.push(chunk);
    reader.unshift(rest);
    for (const piece of data) if (piece.length > 0) yield piece;
  }
}
