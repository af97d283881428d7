import { Transform } from 'node:stream';
import { createFrameDecoder, type DecodeResult, type FrameDecoderOptions } from './stdcopy-decoder.js';

/**
 * Bytes in, `Frame` objects out. Bad input destroys the stream with the decoder's typed error,
 * after pushing the frames decoded before it (a flowing reader gets them; as with any Node stream,
 * frames still buffered when the error lands are discarded).
 */
export function createFrameDecoderStream(options: FrameDecoderOptions): Transform {
  const decoder = createFrameDecoder(options);
  const forward = (stream: Transform, result: DecodeResult): Error | null => {
    for (const frame of result.frames) stream.push(frame);
    return result.ok ? null : result.error;
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback) {
      callback(forward(this, decoder.push(chunk)));
    },
    flush(callback) {
      callback(forward(this, decoder.end()));
    },
  });
}
