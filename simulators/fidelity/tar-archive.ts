import { Buffer } from 'node:buffer';
import { MalformedResponseError } from './errors.js';

const BLOCK = 512;

export interface TarEntry {
  readonly name: string;
  /** `file`, `directory`, `symlink`, or the raw type flag. */
  readonly type: string;
  readonly size: number;
  readonly mode: number;
  readonly linkName: string;
  readonly content: Buffer;
}

/** A ustar archive of regular files (mode 0644 unless given), for `PUT /archive` bodies. */
export function buildTar(
  files: readonly { readonly name: string; readonly content: Buffer; readonly mode?: number }[],
): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const header = Buffer.alloc(BLOCK);
    const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, '0') + '\0';
    header.write(file.name, 0, 100, 'utf8');
    header.write(octal(file.mode ?? 0o644, 8), 100, 'latin1');
    header.write(octal(0, 8), 108, 'latin1');
    header.write(octal(0, 8), 116, 'latin1');
    header.write(octal(file.content.length, 12), 124, 'latin1');
    header.write(octal(1_700_000_000, 12), 136, 'latin1');
    header.write('        ', 148, 'latin1');
    header.write('0', 156, 'latin1');
    header.write('ustar\0' + '00', 257, 'latin1');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    blocks.push(header, file.content, Buffer.alloc((BLOCK - (file.content.length % BLOCK)) % BLOCK));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

const TYPES: Readonly<Record<string, string>> = {
  '0': 'file',
  '\0': 'file',
  '5': 'directory',
  '2': 'symlink',
  '1': 'hardlink',
};

function field(header: Buffer, at: number, length: number): string {
  const raw = header.subarray(at, at + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

function number(header: Buffer, at: number, length: number): number {
  const text = field(header, at, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** PAX records (`<len> key=value\n`) of an `x` header. */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isSafeInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

/** Parses a tar archive (ustar, GNU long names, PAX `path`/`linkpath`); throws on truncation. */
export function parseTar(bytes: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let pax = new Map<string, string>();
  let longName: string | undefined;
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = number(header, 124, 12);
    const flag = String.fromCharCode(header[156] ?? 0);
    const dataStart = at + BLOCK;
    if (dataStart + size > bytes.length) throw new MalformedResponseError('tar entry truncated');
    const data = bytes.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (flag === 'g') continue;
    if (flag === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const prefix = field(header, 345, 155);
    const plain = field(header, 0, 100);
    const name = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${plain}` : plain);
    entries.push({
      name,
      type: TYPES[flag] ?? flag,
      size,
      mode: number(header, 100, 8),
      linkName: pax.get('linkpath') ?? field(header, 157, 100),
      content: Buffer.from(data),
    });
    pax = new Map();
    longName = undefined;
  }
  return entries;
}
