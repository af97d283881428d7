import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { MemoryFs, compareBytes, type FsNode } from '../fs/memory-fs.js';
import { PROGRAMS } from '../program/run-shell.js';
import { emptyConfig, type ContainerConfig } from './container-config.js';
import type { SimImage } from './image-store.js';

/** An image the simulator starts with (there is no registry to pull from). */
export interface SeedImage {
  /** e.g. "local/busybox:1". */
  readonly reference: string;
  /** Default ["sh"]. */
  readonly cmd?: readonly string[] | null;
  readonly entrypoint?: readonly string[] | null;
  readonly env?: readonly string[] | null;
  readonly workingDir?: string;
  readonly labels?: Readonly<Record<string, string>> | null;
  /** Extra files (path → content) on top of the busybox tree. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Default "Imported from -" (what `docker import` records). */
  readonly comment?: string;
  /** Default 2024-01-01T00:00:00Z: the same seed gives the same image ID on every simulator. */
  readonly created?: string;
  /** Reported size in bytes; default 1982286 (busybox-static). */
  readonly size?: number;
  /** Default: the simulator's architecture. */
  readonly architecture?: string;
}

export const DEFAULT_SEED_IMAGES: readonly SeedImage[] = [{ reference: 'local/busybox:1', cmd: ['sh'] }];

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A digest of a tree's content (names, kinds, modes, data): the diff ID of its layer. */
export function treeDigest(node: FsNode): string {
  const hash = createHash('sha256');
  const walk = (current: FsNode, path: string): void => {
    hash.update(`${path}\0${current.kind}\0${current.mode}\0`);
    if (current.kind === 'file') hash.update(current.data);
    else if (current.kind === 'symlink') hash.update(current.target);
    else
      for (const name of [...current.children.keys()].sort(compareBytes))
        walk(current.children.get(name) as FsNode, `${path}/${name}`);
    hash.update('\0');
  };
  walk(node, '');
  return `sha256:${hash.digest('hex')}`;
}

/**
 * The busybox tree of the seed image: /bin/busybox with a symlink per simulated applet,
 * /etc/passwd with root, and /tmp (what scripts/real-dockerd.sh imports, minus the applets
 * the program model does not simulate).
 */
export function buildBusyboxTree(
  now: () => bigint,
  mtimeNs: bigint,
  files: Readonly<Record<string, string | Uint8Array>> = {},
): MemoryFs {
  const fs = new MemoryFs(now);
  fs.root.mtimeNs = mtimeNs;
  const stamp = (path: string): void => {
    const node = fs.lstat(path);
    if (node) node.mtimeNs = mtimeNs;
  };
  for (const dir of ['/bin', '/etc', '/tmp']) {
    fs.mkdir(dir);
    stamp(dir);
  }
  fs.writeFile('/bin/busybox', Buffer.from('\x7fELF simulated busybox\n', 'latin1'), { mode: 0o755 });
  stamp('/bin/busybox');
  for (const applet of [...PROGRAMS.keys()].sort(compareBytes))
    fs.symlink('busybox', `/bin/${applet}`, { mtimeNs });
  fs.writeFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  stamp('/etc/passwd');
  for (const [path, content] of Object.entries(files)) {
    fs.mkdir(path.replace(/\/[^/]*$/, '') || '/', { parents: true });
    fs.writeFile(path, typeof content === 'string' ? content : Buffer.from(content));
    stamp(path);
  }
  stamp('/bin');
  stamp('/etc');
  return fs;
}

/** Builds the image record of a seed; its ID depends only on its content and metadata. */
export function buildSeedImage(
  seed: SeedImage,
  defaults: {
    readonly architecture: string;
    readonly os: string;
    readonly dockerVersion: string;
    readonly now: () => bigint;
  },
): SimImage {
  const createdNs = BigInt(Date.parse(seed.created ?? '2024-01-01T00:00:00Z')) * 1_000_000n;
  const fs = buildBusyboxTree(defaults.now, createdNs, seed.files ?? {});
  const config: ContainerConfig = {
    ...emptyConfig(),
    Env: seed.env ? [...seed.env] : null,
    Cmd: seed.cmd === undefined ? ['sh'] : seed.cmd === null ? null : [...seed.cmd],
    Entrypoint: seed.entrypoint ? [...seed.entrypoint] : null,
    WorkingDir: seed.workingDir ?? '',
    Labels: seed.labels ? { ...seed.labels } : null,
  };
  const layers = [treeDigest(fs.root)];
  const architecture = seed.architecture ?? defaults.architecture;
  const comment = seed.comment ?? 'Imported from -';
  const id = `sha256:${sha256(JSON.stringify({ architecture, os: defaults.os, config, created: String(createdNs), layers, comment }))}`;
  return {
    id,
    parent: '',
    comment,
    createdNs,
    container: '',
    containerConfig: emptyConfig(),
    dockerVersion: defaults.dockerVersion,
    author: '',
    config,
    architecture,
    variant: undefined,
    os: defaults.os,
    size: seed.size ?? 1982286,
    layers,
    fs,
    lastTagTimeNs: undefined,
  };
}
