import { Buffer } from 'node:buffer';

/** One member of an archive, as docker's pkg/archive describes a file. */
export interface TarEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink';
  /** Permission bits (07777). */
  readonly mode: number;
  readonly mtimeNs: bigint;
  readonly uid: number;
  readonly gid: number;
  readonly data?: Buffer;
  readonly linkname?: string;
}

const BLOCK = 512;
// fillGo18FileTypeBits (pkg/archive): the file-type bits docker ORs into the tar mode.
const TYPE_BITS = { file: 0o100000, dir: 0o040000, symlink: 0o120000 } as const;
const TYPE_FLAG = { file: '0', dir: '5', symlink: '2' } as const;

/** Go's archive/tar formatOctal: zero-padded octal leaving room for a NUL. */
function octal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  block.write(digits, offset, width - 1, 'latin1');
}

function text(block: Buffer, offset: number, width: number, value: string): void {
  Buffer.from(value, 'utf8').copy(block, offset, 0, width);
}

function checksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  // archive/tar: six octal digits, a NUL, then a space.
  block.write(sum.toString(8).padStart(6, '0'), 148, 6, 'latin1');
  block[154] = 0;
  block[155] = 0x20;
}

interface RawHeader {
  readonly name: string;
  readonly prefix: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly typeflag: string;
  readonly linkname: string;
  readonly uname: string;
  readonly gname: string;
}

function ustarBlock(header: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  text(block, 0, 100, header.name);
  octal(block, 100, 8, header.mode);
  octal(block, 108, 8, header.uid);
  octal(block, 116, 8, header.gid);
  octal(block, 124, 12, header.size);
  octal(block, 136, 12, header.mtime);
  block.write(header.typeflag, 156, 1, 'latin1');
  text(block, 157, 100, header.linkname);
  block.write('ustar\u000000', 257, 8, 'latin1');
  text(block, 265, 32, header.uname);
  text(block, 297, 32, header.gname);
  octal(block, 329, 8, 0);
  octal(block, 337, 8, 0);
  text(block, 345, 155, header.prefix);
  checksum(block);
  return block;
}

/** USTAR's name/prefix split: prefix ≤ 155 bytes, name ≤ 100, cut at a slash. */
function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  const bytes = Buffer.byteLength(name);
  if (bytes <= 100) return { name, prefix: '' };
  for (let cut = name.length - 1; cut > 0; cut -= 1) {
    if (name[cut] !== '/') continue;
    const prefix = name.slice(0, cut);
    const rest = name.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '')
      return { name: rest, prefix };
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length)
    length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, Buffer.alloc(BLOCK - rest)];
}

/**
 * The blocks of one archive member as Go's archive/tar writes it for docker: USTAR when the
 * names fit (mtime in whole seconds, "root" owner names for uid/gid 0), else a PAX header first.
 */
export function encodeTarEntry(entry: TarEntry): Buffer[] {
  const data = entry.type === 'file' ? (entry.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
  const linkname = entry.linkname ?? '';
  const split = splitUstarName(entry.name);
  const blocks: Buffer[] = [];
  const mtime = Number(entry.mtimeNs / 1_000_000_000n);
  const owner = (id: number): string => (id === 0 ? 'root' : '');
  if (split === undefined || Buffer.byteLength(linkname) > 100) {
    let records = '';
    if (split === undefined) records += paxRecord('path', entry.name);
    if (Buffer.byteLength(linkname) > 100) records += paxRecord('linkpath', linkname);
    const body = Buffer.from(records, 'utf8');
    const base = entry.name.replace(/\/$/, '').split('/').pop() ?? 'entry';
    blocks.push(
      ustarBlock({
        name: `PaxHeaders.0/${base}`.slice(0, 100),
        prefix: '',
        mode: 0,
        uid: 0,
        gid: 0,
        size: body.length,
        mtime: 0,
        typeflag: 'x',
        linkname: '',
        uname: '',
        gname: '',
      }),
      ...padded(body),
    );
  }
  const names = split ?? { name: entry.name.slice(0, 100), prefix: '' };
  blocks.push(
    ustarBlock({
      ...names,
      mode: (entry.mode & 0o7777) | TYPE_BITS[entry.type],
      uid: entry.uid,
      gid: entry.gid,
      size: data.length,
      mtime,
      typeflag: TYPE_FLAG[entry.type],
      linkname: linkname.slice(0, 100),
      uname: owner(entry.uid),
      gname: owner(entry.gid),
    }),
  );
  if (data.length > 0) blocks.push(...padded(data));
  return blocks;
}

/** tar.Writer.Close: two zero blocks, no padding to a record size. */
export function encodeTarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}
