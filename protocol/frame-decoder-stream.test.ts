import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createFrameDecoderStream } from './frame-decoder-stream.js';
import { encodeFrame } from './stdcopy-encoder.js';
import type { Frame } from './stdcopy-frame.js';

async function decodeAll(
  chunks: Buffer[],
  mode: 'multiplexed' | 'raw',
): Promise<{ frames: Frame[]; error: unknown }> {
  const frames: Frame[] = [];
  let error: unknown;
  try {
    await pipeline(
      Readable.from(chunks),
      createFrameDecoderStream({ mode }),
      async (source: AsyncIterable<Frame>) => {
        for await (const frame of source) frames.push(frame);
      },
    );
  } catch (caught) {
    error = caught;
  }
  return { frames, error };
}

describe('createFrameDecoderStream', () => {
  it('emits frames in object mode across chunk boundaries', async () => {
    const bytes = Buffer.concat([encodeFrame(1, 'out\n'), encodeFrame(2, 'err\n')]);
    const { frames, error } = await decodeAll(
      [bytes.subarray(0, 5), bytes.subarray(5, 13), bytes.subarray(13)],
      'multiplexed',
    );
    expect(error).toBeUndefined();
    expect(frames.map((frame) => [frame.stream, frame.payload.toString()])).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
    ]);
  });

  it('errors the stream with the typed error, after delivering the frames before it to a flowing reader', async () => {
    const stream = createFrameDecoderStream({ mode: 'multiplexed' });
    const frames: string[] = [];
    stream.on('data', (frame: Frame) => frames.push(frame.payload.toString()));
    const failed = new Promise<unknown>((resolve) => stream.once('error', resolve));
    stream.write(Buffer.concat([encodeFrame(1, 'a'), Buffer.from([5, 0, 0, 0, 0, 0, 0, 0])]));
    expect(await failed).toMatchObject({ code: 'ERR_STDCOPY_BAD_STREAM' });
    expect(frames).toEqual(['a']);
  });

  it('fails a pipeline with the typed error', async () => {
    const { error } = await decodeAll(
      [encodeFrame(1, 'a'), Buffer.from([5, 0, 0, 0, 0, 0, 0, 0])],
      'multiplexed',
    );
    expect(error).toMatchObject({ code: 'ERR_STDCOPY_BAD_STREAM' });
  });

  it('errors the stream when the input ends inside a frame', async () => {
    const { error } = await decodeAll([encodeFrame(1, 'abc').subarray(0, 9)], 'multiplexed');
    expect(error).toMatchObject({ code: 'ERR_STDCOPY_TRUNCATED' });
  });

  it('passes raw bytes through', async () => {
    const { frames, error } = await decodeAll([Buffer.from([1, 2]), Buffer.from([3])], 'raw');
    expect(error).toBeUndefined();
    expect(Buffer.concat(frames.map((frame) => frame.payload))).toEqual(Buffer.from([1, 2, 3]));
  });
});
