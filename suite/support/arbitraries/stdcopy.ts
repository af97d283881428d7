import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import type { StreamName } from '../../../protocol/stdcopy-frame.js';

export interface FrameSpec {
  readonly stream: StreamName;
  readonly payload: Buffer;
}

export const streamNameArb: fc.Arbitrary<StreamName> = fc.constantFrom('stdin', 'stdout', 'stderr', 'system');

/** Frames as a daemon writes them; empty payloads included (moby writes them for empty writes). */
export const frameSpecArb: fc.Arbitrary<FrameSpec> = fc.record({
  stream: streamNameArb,
  payload: fc.uint8Array({ maxLength: 96 }).map((bytes) => Buffer.from(bytes)),
});

export const frameListArb: fc.Arbitrary<FrameSpec[]> = fc.array(frameSpecArb, { maxLength: 12 });

/** One header as eight free bytes, biased towards the interesting values. */
const headerArb: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.integer({ min: 0, max: 255 })),
    fc.oneof(
      fc.constant([0, 0, 0]),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 3, maxLength: 3 }),
    ),
    fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constant(0xffffffff), fc.nat({ max: 0xffffffff })),
  )
  .map(([type, padding, length]) => {
    const header = Buffer.alloc(8);
    header[0] = type;
    header.set(padding, 1);
    header.writeUInt32BE(length, 4);
    return header;
  });

/** Byte soup for "never throws": random bytes, and headers (valid or not) mixed with payload noise. */
export const stdcopyNoiseArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  fc
    .array(
      fc.oneof(
        headerArb,
        fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes)),
      ),
      {
        maxLength: 10,
      },
    )
    .map((parts) => Buffer.concat(parts)),
);
