import { Buffer } from 'node:buffer';

/** One regular file of a tar archive. */
export interface TarEntry {
  readonly name: string;
  readonly content: string;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** A ustar archive of regular files (mode 0644, uid/gid 0), what `docker cp` sends (DKR-27). */
export function encodeTar(entries: readonly TarEntry[], mtime = Math.floor(Date.now() / 1000)): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content);
    const header = Buffer.alloc(BLOCK);
    header.write(entry.name, 0, 100, 'utf8');
    header.write(octal(0o644, 8), 100, 'latin1');
    header.write(octal(0, 8), 108, 'latin1');
    header.write(octal(0, 8), 116, 'latin1');
    header.write(octal(content.length, 12), 124, 'latin1');
    header.write(octal(mtime, 12), 136, 'latin1');
    header.write(' '.repeat(8), 148, 'latin1');
    header.write('0', 156, 'latin1');
    header.write('ustar\u000000', 257, 'latin1');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    parts.push(header, content, Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** The regular files of a tar archive (name without a leading "./" or "/", content as UTF-8). */
export function decodeTar(bytes: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const field = (from: number, length: number): string =>
      header.toString('latin1', from, from + length).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = `${prefix === '' ? '' : `${prefix}/`}${field(0, 100)}`.replace(/^\.?\//, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const content = bytes.subarray(at + BLOCK, at + BLOCK + size);
    if (type === '0' || type === '') entries.push({ name, content: content.toString('utf8') });
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
