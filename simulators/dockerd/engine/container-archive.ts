import { Buffer } from 'node:buffer';
import tarStream from 'tar-stream';
import { DockerdNotFoundError, DockerdSystemError } from '../dockerd-errors.js';
import { FsError, baseName, compareBytes, joinPath, type FsNode, type MemoryFs } from '../fs/memory-fs.js';
import type { TarEntry } from '../fs/tar-writer.js';
import { formatRfc3339Nano } from './clock.js';

/** types.ContainerPathStat, sent base64-encoded in X-Docker-Container-Path-Stat (DKR-27). */
export interface ContainerPathStat {
  readonly name: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: string;
  readonly linkTarget: string;
}

// os.FileMode bits of Go.
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_SETUID = 2 ** 23;
const MODE_SETGID = 2 ** 22;
const MODE_STICKY = 2 ** 20;

export function goFileMode(node: FsNode): number {
  let mode = node.mode & 0o777;
  if (node.mode & 0o4000) mode += MODE_SETUID;
  if (node.mode & 0o2000) mode += MODE_SETGID;
  if (node.mode & 0o1000) mode += MODE_STICKY;
  if (node.kind === 'dir') mode += MODE_DIR;
  if (node.kind === 'symlink') mode += MODE_SYMLINK;
  return mode;
}

function nodeSize(node: FsNode): number {
  if (node.kind === 'dir') return 4096;
  if (node.kind === 'symlink') return Buffer.byteLength(node.target);
  return node.data.length;
}

/** A resolved archive path: where it is in the tree and the name its entries start with. */
interface ResolvedArchivePath {
  readonly node: FsNode;
  readonly resolvedPath: string;
  readonly stat: ContainerPathStat;
}

/**
 * container.ResolvePath + StatPath: the path is absolute in the container; every component but
 * the last follows symlinks (the last too when the path ends in "/" or "/."). A missing path is
 * "Could not find the file <path> in container <name>" (404).
 */
export function resolveArchivePath(fs: MemoryFs, path: string, containerName: string): ResolvedArchivePath {
  const absPath = joinPath('/', path);
  const trailing = /\/\.?$/.test(path) && absPath !== '/';
  const notFound = (): DockerdNotFoundError =>
    new DockerdNotFoundError(`Could not find the file ${path} in container ${containerName}`);
  let resolved;
  try {
    resolved = fs.resolve(absPath, { followFinal: trailing });
  } catch (error) {
    if (error instanceof FsError) throw notFound();
    throw error;
  }
  const node = resolved.node;
  if (node === undefined) throw notFound();
  if (trailing && node.kind !== 'dir')
    throw new DockerdSystemError(`lstat ${resolved.path}/: not a directory`);
  let linkTarget = '';
  if (node.kind === 'symlink') {
    try {
      linkTarget = fs.resolve(absPath).path;
    } catch {
      linkTarget = joinPath(resolved.path, `../${node.target}`);
    }
  }
  const name = path.endsWith('/.') ? '.' : baseName(absPath);
  return {
    node,
    resolvedPath: resolved.path,
    stat: {
      name,
      size: nodeSize(node),
      mode: goFileMode(node),
      mtime: formatRfc3339Nano(node.mtimeNs),
      linkTarget,
    },
  };
}

/** X-Docker-Container-Path-Stat: base64 of the stat JSON (encoding/json field order). */
export function encodePathStat(stat: ContainerPathStat): string {
  return Buffer.from(JSON.stringify(stat), 'utf8').toString('base64');
}

/**
 * The members of `docker cp CONTAINER:path -`: the resolved node renamed to the last element of
 * the requested path ("/" for the root, "." for "dir/."), then its tree in lexical order.
 */
export function archiveEntries(resolved: ResolvedArchivePath): TarEntry[] {
  const entries: TarEntry[] = [];
  const base = resolved.stat.name;
  const walk = (node: FsNode, name: string): void => {
    const meta = { mode: node.mode, mtimeNs: node.mtimeNs, uid: node.uid, gid: node.gid };
    if (node.kind === 'file') {
      entries.push({ name, type: 'file', data: node.data, ...meta });
      return;
    }
    if (node.kind === 'symlink') {
      entries.push({ name, type: 'symlink', linkname: node.target, ...meta });
      return;
    }
    const dirName = name.endsWith('/') ? name : `${name}/`;
    entries.push({ name: dirName, type: 'dir', ...meta });
    for (const child of [...node.children.keys()].sort(compareBytes)) {
      walk(node.children.get(child) as FsNode, `${dirName}${child}`);
    }
  };
  walk(resolved.node, base === '/' ? '/' : base);
  return entries;
}

/** The tar error text dockerd reports ("Error processing tar file(exit status 1): <text>"). */
export class TarExtractionError extends DockerdSystemError {
  constructor(detail: string) {
    super(`Error processing tar file(exit status 1): ${detail}`);
  }
}

function tarErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/unexpected end/i.test(message)) return 'unexpected EOF';
  if (/invalid tar header/i.test(message)) return 'archive/tar: invalid tar header';
  return message;
}

/**
 * archive.Unpack into `dest` (an existing directory): entries are cleaned and kept inside dest,
 * missing parents are created, an existing entry is replaced unless both are directories; with
 * `noOverwriteDirNonDir` a directory and a non-directory never replace each other.
 */
export async function extractTar(
  fs: MemoryFs,
  dest: string,
  source: AsyncIterable<Buffer>,
  options: { readonly noOverwriteDirNonDir: boolean },
): Promise<void> {
  const extract = tarStream.extract();
  let feedError: Error | undefined;
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (!extract.write(chunk))
          await new Promise<void>((resolve) => extract.once('drain', () => resolve()));
      }
      extract.end(undefined);
    } catch (error) {
      feedError = error instanceof Error ? error : new Error(String(error));
      extract.destroy(feedError);
    }
  })();
  const dirTimes: { path: string; mtimeNs: bigint }[] = [];
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      applyEntry(fs, dest, header, Buffer.concat(chunks), options, dirTimes);
    }
  } catch (error) {
    extract.destroy(error instanceof Error ? error : new Error(String(error)));
    await feed;
    if (error instanceof DockerdSystemError) throw error;
    if (feedError !== undefined) throw feedError;
    throw new TarExtractionError(tarErrorText(error));
  }
  await feed;
  if (feedError !== undefined) throw feedError;
  for (const { path, mtimeNs } of dirTimes) {
    const node = fs.lstat(path);
    if (node) node.mtimeNs = mtimeNs;
  }
}

function applyEntry(
  fs: MemoryFs,
  dest: string,
  header: tarStream.Header,
  data: Buffer,
  options: { readonly noOverwriteDirNonDir: boolean },
  dirTimes: { path: string; mtimeNs: bigint }[],
): void {
  const cleaned = joinPath('/', header.name).slice(1) || '.';
  const relative = header.name.replace(/^\/+/, '');
  if (/(^|\/)\.\.(\/|$)/.test(relative) && !joinPath(dest, relative).startsWith(dest)) {
    throw new TarExtractionError(`${JSON.stringify(header.name)} is outside of ${JSON.stringify(dest)}`);
  }
  const path = joinPath(dest, cleaned);
  const parent = joinPath(path, '..');
  if (cleaned !== '.' && fs.lstat(parent) === undefined) fs.mkdir(parent, { parents: true });
  const isDir = header.type === 'directory';
  const existing = fs.lstat(path);
  if (existing) {
    if (options.noOverwriteDirNonDir && existing.kind === 'dir' && !isDir) {
      throw new TarExtractionError(
        `cannot overwrite directory ${JSON.stringify(path)} with non-directory ${JSON.stringify(dest)}`,
      );
    }
    if (options.noOverwriteDirNonDir && existing.kind !== 'dir' && isDir) {
      throw new TarExtractionError(
        `cannot overwrite non-directory ${JSON.stringify(path)} with directory ${JSON.stringify(dest)}`,
      );
    }
    if (existing.kind === 'dir' && cleaned === '.') return;
    if (!(existing.kind === 'dir' && isDir)) fs.remove(path, { recursive: true });
  }
  const mode = (header.mode ?? 0o644) & 0o7777;
  const mtimeNs = BigInt((header.mtime ?? new Date(0)).getTime()) * 1_000_000n;
  const meta = { mode, mtimeNs, uid: header.uid ?? 0, gid: header.gid ?? 0 };
  switch (header.type) {
    case 'directory': {
      const node = fs.lstat(path);
      if (node?.kind === 'dir') {
        node.mode = mode;
      } else {
        fs.place(path, { kind: 'dir', children: new Map(), ...meta });
      }
      dirTimes.push({ path, mtimeNs });
      return;
    }
    case 'symlink':
      fs.place(path, { kind: 'symlink', target: header.linkname ?? '', ...meta });
      return;
    case 'link': {
      const target = fs.lstat(joinPath(dest, header.linkname ?? ''));
      if (target?.kind === 'file') fs.place(path, { kind: 'file', data: Buffer.from(target.data), ...meta });
      return;
    }
    case 'file':
    case 'contiguous-file':
      fs.place(path, { kind: 'file', data, ...meta });
      return;
    default:
      // Devices and fifos are not simulated.
      return;
  }
}
