import { Buffer } from 'node:buffer';
import { BerthError } from '../../../protocol/errors.js';

export type FsErrno = 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EEXIST' | 'ELOOP' | 'ENOTEMPTY' | 'EINVAL';

const ERRNO_TEXT: Readonly<Record<FsErrno, string>> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EEXIST: 'File exists',
  ELOOP: 'Too many levels of symbolic links',
  ENOTEMPTY: 'Directory not empty',
  EINVAL: 'Invalid argument',
};

/** A failed file-system call of a simulated container; `errno` names the POSIX error. */
export class FsError extends BerthError {
  readonly code = 'ERR_DOCKERD_FS';
  constructor(
    readonly errno: FsErrno,
    readonly path: string,
  ) {
    super(`${path}: ${ERRNO_TEXT[errno]}`);
  }

  /** The strerror text ("No such file or directory"), as busybox applets print it. */
  get text(): string {
    return ERRNO_TEXT[this.errno];
  }
}

interface NodeMeta {
  /** Permission bits (07777). */
  mode: number;
  mtimeNs: bigint;
  uid: number;
  gid: number;
}

export interface DirNode extends NodeMeta {
  readonly kind: 'dir';
  readonly children: Map<string, FsNode>;
}
export interface FileNode extends NodeMeta {
  readonly kind: 'file';
  data: Buffer;
}
export interface SymlinkNode extends NodeMeta {
  readonly kind: 'symlink';
  readonly target: string;
}
export type FsNode = DirNode | FileNode | SymlinkNode;

/** What a path resolves to: the canonical absolute path and, when it exists, the node. */
export interface Resolved {
  readonly path: string;
  readonly node: FsNode | undefined;
  readonly parent: DirNode | undefined;
  readonly name: string;
}

const MAX_SYMLINK_HOPS = 40;

/** Splits an absolute or relative path into clean components (`.` dropped, `..` kept). */
function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** path.Join + Clean for absolute container paths. */
export function joinPath(base: string, path: string): string {
  const parts: string[] = [];
  for (const part of components(path.startsWith('/') ? path : `${base}/${path}`)) {
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export function baseName(path: string): string {
  const parts = components(path);
  return parts.length === 0 ? '/' : (parts[parts.length - 1] ?? '/');
}

export function dirName(path: string): string {
  return joinPath(path, '..');
}

/**
 * The in-memory file tree of an image layer or a container. Paths are container paths; symlinks
 * resolve inside the tree (an absolute target starts again at this tree's root, as in a chroot).
 */
export class MemoryFs {
  readonly root: DirNode;
  readonly #now: () => bigint;

  constructor(now: () => bigint, root?: DirNode) {
    this.#now = now;
    this.root = root ?? { kind: 'dir', children: new Map(), mode: 0o755, mtimeNs: now(), uid: 0, gid: 0 };
  }

  /** A deep copy (a container's own copy of its image's tree). */
  clone(): MemoryFs {
    return new MemoryFs(this.#now, cloneNode(this.root) as DirNode);
  }

  now(): bigint {
    return this.#now();
  }

  /**
   * Resolves `path` (relative to `cwd`) following symlinks in every component and, when
   * `followFinal`, in the last one too. A missing last component resolves with `node` undefined;
   * a missing or non-directory parent throws ENOENT / ENOTDIR.
   */
  resolve(path: string, options: { cwd?: string; followFinal?: boolean } = {}): Resolved {
    const followFinal = options.followFinal ?? true;
    const pending = components(path.startsWith('/') ? path : `${options.cwd ?? '/'}/${path}`);
    const stack: DirNode[] = [this.root];
    const names: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift() as string;
      const dir = stack[stack.length - 1] as DirNode;
      if (part === '..') {
        if (stack.length > 1) {
          stack.pop();
          names.pop();
        }
        continue;
      }
      const node = dir.children.get(part);
      const last = pending.length === 0;
      if (node === undefined) {
        if (!last) throw new FsError('ENOENT', path);
        return { path: joinPath('/', [...names, part].join('/')), node: undefined, parent: dir, name: part };
      }
      if (node.kind === 'symlink' && (!last || followFinal)) {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS) throw new FsError('ELOOP', path);
        if (node.target.startsWith('/')) {
          stack.length = 1;
          names.length = 0;
        }
        pending.unshift(...components(node.target));
        continue;
      }
      if (last) return { path: joinPath('/', [...names, part].join('/')), node, parent: dir, name: part };
      if (node.kind !== 'dir') throw new FsError('ENOTDIR', path);
      stack.push(node);
      names.push(part);
    }
    // The path named a directory reached through the walk (or the root).
    const node = stack[stack.length - 1] as DirNode;
    const parent = stack.length > 1 ? stack[stack.length - 2] : undefined;
    return { path: `/${names.join('/')}`, node, parent, name: names[names.length - 1] ?? '/' };
  }

  /** The node at `path` following every symlink, or undefined when anything is missing. */
  stat(path: string, cwd = '/'): FsNode | undefined {
    return this.#tryResolve(path, cwd, true)?.node;
  }

  /** Like stat() but a final symlink is returned itself. */
  lstat(path: string, cwd = '/'): FsNode | undefined {
    return this.#tryResolve(path, cwd, false)?.node;
  }

  #tryResolve(path: string, cwd: string, followFinal: boolean): Resolved | undefined {
    try {
      return this.resolve(path, { cwd, followFinal });
    } catch (error) {
      if (error instanceof FsError) return undefined;
      throw error;
    }
  }

  readFile(path: string, cwd = '/'): Buffer {
    const { node } = this.resolve(path, { cwd });
    if (node === undefined) throw new FsError('ENOENT', path);
    if (node.kind === 'dir') throw new FsError('EISDIR', path);
    return (node as FileNode).data;
  }

  /** Creates or replaces (or, with `append`, extends) a regular file; the parent must exist. */
  writeFile(
    path: string,
    data: Buffer | string,
    options: { cwd?: string; append?: boolean; mode?: number } = {},
  ): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const resolved = this.resolve(path, { cwd: options.cwd ?? '/' });
    const { node, parent, name } = resolved;
    if (parent === undefined) throw new FsError('EISDIR', path);
    if (node?.kind === 'dir') throw new FsError('EISDIR', path);
    const now = this.#now();
    if (node?.kind === 'file') {
      node.data = options.append ? Buffer.concat([node.data, bytes]) : Buffer.from(bytes);
      node.mtimeNs = now;
    } else {
      parent.children.set(name, {
        kind: 'file',
        data: Buffer.from(bytes),
        mode: options.mode ?? 0o644,
        mtimeNs: now,
        uid: 0,
        gid: 0,
      });
    }
    parent.mtimeNs = now;
  }

  /** mkdir, or `mkdir -p` with `parents`. */
  mkdir(path: string, options: { cwd?: string; parents?: boolean; mode?: number } = {}): void {
    const absolute = joinPath(options.cwd ?? '/', path);
    if (options.parents) {
      let current = '/';
      for (const part of components(absolute)) {
        current = joinPath(current, part);
        const existing = this.stat(current);
        if (existing?.kind === 'dir') continue;
        if (existing !== undefined) throw new FsError('EEXIST', current);
        this.mkdir(current, options.mode === undefined ? {} : { mode: options.mode });
      }
      return;
    }
    const { node, parent, name } = this.resolve(absolute, { followFinal: false });
    if (node !== undefined || parent === undefined) throw new FsError('EEXIST', path);
    const now = this.#now();
    parent.children.set(name, {
      kind: 'dir',
      children: new Map(),
      mode: options.mode ?? 0o755,
      mtimeNs: now,
      uid: 0,
      gid: 0,
    });
    parent.mtimeNs = now;
  }

  symlink(target: string, path: string, options: { mtimeNs?: bigint } = {}): void {
    const { node, parent, name } = this.resolve(path, { followFinal: false });
    if (node !== undefined || parent === undefined) throw new FsError('EEXIST', path);
    const mtimeNs = options.mtimeNs ?? this.#now();
    parent.children.set(name, { kind: 'symlink', target, mode: 0o777, mtimeNs, uid: 0, gid: 0 });
  }

  /** Puts `node` at `path` (replacing what was there); the parent must exist. */
  place(path: string, node: FsNode): void {
    const { parent, name } = this.resolve(path, { followFinal: false });
    if (parent === undefined) throw new FsError('EINVAL', path);
    parent.children.set(name, node);
  }

  /** Removes the entry at `path` (not following a final symlink); `recursive` for directories. */
  remove(path: string, options: { recursive?: boolean } = {}): void {
    const { node, parent, name } = this.resolve(path, { followFinal: false });
    if (node === undefined || parent === undefined) throw new FsError('ENOENT', path);
    if (node.kind === 'dir' && node.children.size > 0 && !options.recursive)
      throw new FsError('ENOTEMPTY', path);
    parent.children.delete(name);
    parent.mtimeNs = this.#now();
  }

  /** Names in a directory, sorted as Go's os.ReadDir sorts them (byte order). */
  readdir(path: string, cwd = '/'): string[] {
    const node = this.stat(path, cwd);
    if (node === undefined) throw new FsError('ENOENT', path);
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', path);
    return [...node.children.keys()].sort(compareBytes);
  }
}

export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function cloneNode(node: FsNode): FsNode {
  if (node.kind === 'file') return { ...node, data: Buffer.from(node.data) };
  if (node.kind === 'symlink') return { ...node };
  const children = new Map<string, FsNode>();
  for (const [name, child] of node.children) children.set(name, cloneNode(child));
  return { ...node, children };
}

/** Bytes a node takes (file data and symlink targets), recursively. */
export function nodeSize(node: FsNode): number {
  if (node.kind === 'file') return node.data.length;
  if (node.kind === 'symlink') return Buffer.byteLength(node.target);
  let total = 0;
  for (const child of node.children.values()) total += nodeSize(child);
  return total;
}
