import { Buffer } from 'node:buffer';
import fc from 'fast-check';

/** Raw cut positions; `splitAt` maps them onto a byte array of any length. */
export const cutsArb: fc.Arbitrary<number[]> = fc.array(fc.nat(), { maxLength: 24 });

/** Splits `bytes` at `cuts` (each taken modulo length + 1), keeping empty chunks as they come. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Buffer[] {
  const positions = cuts.map((cut) => cut % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of positions) {
    chunks.push(Buffer.from(bytes.subarray(from, at)));
    from = at;
  }
  chunks.push(Buffer.from(bytes.subarray(from)));
  return chunks;
}

/** Every byte in its own chunk. */
export function byteByByte(bytes: Uint8Array): Buffer[] {
  return Array.from(bytes, (byte) => Buffer.of(byte));
}
