import { Buffer } from 'node:buffer';
import tarStream from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { encodeTarEnd, encodeTarEntry, type TarEntry } from './tar-writer.js';

useLeakCheck();

const meta = { mode: 0o644, mtimeNs: 1_795_399_653_000_000_000n, uid: 0, gid: 0 };

async function parse(
  bytes: Buffer,
): Promise<{ name: string; type: string; linkname: string | null; data: string }[]> {
  const extract = tarStream.extract();
  const out: { name: string; type: string; linkname: string | null; data: string }[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      out.push({
        name: entry.header.name,
        type: entry.header.type,
        linkname: entry.header.linkname ?? null,
        data: Buffer.concat(chunks).toString(),
      });
    }
  })();
  extract.end(bytes);
  await done;
  return out;
}

describe('encodeTarEntry', () => {
  it('writes the USTAR header of Go archive/tar as dockerd sends it (2048 bytes for one small file)', () => {
    const entry: TarEntry = {
      name: 'passwd',
      type: 'file',
      data: Buffer.from('root:x:0:0:root:/root:/bin/sh\n'),
      ...meta,
    };
    const bytes = Buffer.concat([...encodeTarEntry(entry), encodeTarEnd()]);
    expect(bytes.length).toBe(2048);
    const field = (offset: number, length: number): string =>
      bytes.subarray(offset, offset + length).toString('latin1');
    expect(field(100, 8)).toBe('0100644\0');
    expect(field(108, 8)).toBe('0000000\0');
    expect(field(124, 12)).toBe('00000000036\0');
    expect(field(136, 12)).toBe('15300717745\0');
    // The checksum covers every header byte: equal to the one dockerd sent for this file.
    expect(field(148, 8)).toBe('012311\0 ');
    expect(field(156, 1)).toBe('0');
    expect(field(257, 8)).toBe('ustar\u000000');
    expect(field(265, 5)).toBe('root\0');
    expect(field(329, 8)).toBe('0000000\0');
  });

  it('round-trips directories, symlinks and a name too long for USTAR (PAX path record)', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const entries: TarEntry[] = [
      { name: 'dir/', type: 'dir', ...meta, mode: 0o755 },
      { name: 'dir/link', type: 'symlink', linkname: 'target', ...meta },
      { name: long, type: 'file', data: Buffer.from('deep'), ...meta },
      { name: `${'p'.repeat(90)}/${'q'.repeat(90)}`, type: 'file', data: Buffer.from('prefix'), ...meta },
    ];
    const bytes = Buffer.concat([...entries.flatMap(encodeTarEntry), encodeTarEnd()]);
    expect(await parse(bytes)).toEqual([
      { name: 'dir/', type: 'directory', linkname: null, data: '' },
      { name: 'dir/link', type: 'symlink', linkname: 'target', data: '' },
      { name: long, type: 'file', linkname: null, data: 'deep' },
      { name: `${'p'.repeat(90)}/${'q'.repeat(90)}`, type: 'file', linkname: null, data: 'prefix' },
    ]);
  });
});
