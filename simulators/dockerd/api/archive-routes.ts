import { Buffer } from 'node:buffer';
import { createDeflateRaw, createGzip } from 'node:zlib';
import { DockerdInvalidParameterError, DockerdNotFoundError, DockerdSystemError } from '../dockerd-errors.js';
import {
  archiveEntries,
  encodePathStat,
  extractTar,
  resolveArchivePath,
} from '../engine/container-archive.js';
import { FsError, joinPath } from '../fs/memory-fs.js';
import { encodeTarEnd, encodeTarEntry } from '../fs/tar-writer.js';
import type { ApiContext } from './api-context.js';
import type { RouteHandlers } from './api-route.js';

/** archiveFormValues of dockerd 20.10 (its message lacks a space: "pathcannot"). */
async function archiveParams(
  ctx: ApiContext,
): Promise<{ name: string; path: string; form: Awaited<ReturnType<ApiContext['form']>> }> {
  const form = await ctx.form();
  const name = ctx.vars.name ?? '';
  if (name === '') throw new DockerdInvalidParameterError("bad parameter: 'name' cannot be empty");
  const path = form.get('path');
  if (path === '') throw new DockerdInvalidParameterError('bad parameter: pathcannot be empty');
  return { name, path, form };
}

/** DKR-27: HEAD /containers/{name}/archive: the path stat only. */
async function head(ctx: ApiContext): Promise<void> {
  const { name, path } = await archiveParams(ctx);
  const container = ctx.engine.getContainer(name);
  const resolved = resolveArchivePath(container.fs, path, name);
  ctx.response.header.set('X-Docker-Container-Path-Stat', encodePathStat(resolved.stat));
}

/** DKR-27: GET /containers/{name}/archive: the stat header and a tar (gzip/deflate on request). */
async function get(ctx: ApiContext): Promise<void> {
  const { name, path } = await archiveParams(ctx);
  const container = ctx.engine.getContainer(name);
  const resolved = resolveArchivePath(container.fs, path, name);
  ctx.response.header.set('X-Docker-Container-Path-Stat', encodePathStat(resolved.stat));
  ctx.response.header.set('Content-Type', 'application/x-tar');
  const blocks: Buffer[] = [];
  for (const entry of archiveEntries(resolved)) blocks.push(...encodeTarEntry(entry));
  blocks.push(encodeTarEnd());
  const encoding = ctx.request.header('accept-encoding');
  if (encoding === 'gzip' || encoding === 'deflate') {
    ctx.response.header.set('Content-Encoding', encoding);
    const compressor = encoding === 'gzip' ? createGzip({ level: 1 }) : createDeflateRaw({ level: 1 });
    const compressed: Buffer[] = [];
    compressor.on('data', (chunk: Buffer) => compressed.push(chunk));
    await new Promise<void>((resolve, reject) => {
      compressor.once('end', resolve);
      compressor.once('error', reject);
      compressor.end(Buffer.concat(blocks));
    });
    await ctx.response.write(Buffer.concat(compressed));
    return;
  }
  // io.Copy hands the tar over in 32 KiB pieces.
  const tar = Buffer.concat(blocks);
  for (let offset = 0; offset < tar.length; offset += 32 * 1024) {
    await ctx.response.write(tar.subarray(offset, offset + 32 * 1024));
  }
}

/**
 * DKR-27: PUT /containers/{name}/archive: extract a tar into an existing directory (the last
 * element may be a symlink to one). Missing → 404; not a directory → 500 (dockerd 20.10).
 */
async function put(ctx: ApiContext): Promise<void> {
  const { name, path, form } = await archiveParams(ctx);
  const noOverwriteDirNonDir = form.bool('noOverwriteDirNonDir');
  const container = ctx.engine.getContainer(name);
  const absPath = joinPath('/', path);
  let dest: string;
  try {
    const resolved = container.fs.resolve(absPath);
    if (resolved.node === undefined)
      throw new DockerdNotFoundError(`Could not find the file ${path} in container ${name}`);
    if (resolved.node.kind !== 'dir') throw new DockerdSystemError('extraction point is not a directory');
    dest = resolved.path;
  } catch (error) {
    if (error instanceof FsError)
      throw new DockerdNotFoundError(`Could not find the file ${path} in container ${name}`);
    throw error;
  }
  await extractTar(container.fs, dest, ctx.request.body, { noOverwriteDirNonDir });
  ctx.status(200);
}

/** The handlers of HEAD, GET and PUT of a container archive; route-table.ts gives each its route. */
export const archiveHandlers = { head, get, put } satisfies RouteHandlers;
