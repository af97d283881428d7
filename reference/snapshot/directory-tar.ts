import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';

/**
 * SNP-5: a tar of the contents of `root` (directories, regular files and symlinks, in sorted
 * order), with paths relative to `root` so that it extracts into the target directory.
 */
export async function buildDirectoryTar(root: string): Promise<Readable> {
  const archive = pack();
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(join(root, relative))).sort();
    for (const name of names) {
      const path = relative === '' ? name : `${relative}/${name}`;
      const absolute = join(root, path);
      const info = await lstat(absolute);
      const header = { name: path, mode: info.mode & 0o7777, mtime: info.mtime };
      if (info.isDirectory()) {
        archive.entry({ ...header, type: 'directory' });
        await walk(path);
      } else if (info.isSymbolicLink()) {
        archive.entry({ ...header, type: 'symlink', linkname: await readlink(absolute) });
      } else if (info.isFile()) {
        archive.entry({ ...header, type: 'file' }, await readFile(absolute));
      }
    }
  };
  await walk('');
  archive.finalize();
  return Readable.from(archive as AsyncIterable<Buffer>);
}
