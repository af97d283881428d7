import { baseName, joinPath, type MemoryFs } from '../fs/memory-fs.js';
import type { Applet } from './applets.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How a command name resolves in a container, as execvp / ash would find it. */
export type ResolvedCommand =
  | { readonly kind: 'program'; readonly program: Applet; readonly path: string; readonly argv0: string }
  | { readonly kind: 'script'; readonly path: string }
  | { readonly kind: 'missing'; readonly path: string | undefined }
  | { readonly kind: 'not-executable'; readonly path: string; readonly reason: 'directory' | 'unsupported' };

/**
 * Finds `name` in the container's file tree: a name with a slash is a path, others are looked up
 * in PATH. A file that resolves to /bin/busybox runs the applet named by the command (or, for
 * `busybox x`, by its first argument); another regular file is a shell script.
 */
export function resolveCommand(
  fs: MemoryFs,
  name: string,
  programs: ReadonlyMap<string, Applet>,
  options: { readonly path?: string | undefined; readonly cwd?: string } = {},
): ResolvedCommand {
  const cwd = options.cwd ?? '/';
  const candidates = name.includes('/')
    ? [joinPath(cwd, name)]
    : (options.path ?? DEFAULT_PATH)
        .split(':')
        .filter((dir) => dir !== '')
        .map((dir) => joinPath(cwd, `${dir}/${name}`));
  for (const candidate of candidates) {
    const node = fs.stat(candidate);
    if (node === undefined) continue;
    if (node.kind === 'dir') {
      if (name.includes('/')) return { kind: 'not-executable', path: candidate, reason: 'directory' };
      continue;
    }
    const real = fs.resolve(candidate).path;
    if (baseName(real) === 'busybox' || programs.has(baseName(real))) {
      const applet = baseName(candidate) === 'busybox' ? undefined : baseName(candidate);
      const program = applet === undefined ? undefined : programs.get(applet);
      if (applet === undefined)
        return { kind: 'program', program: runBusybox(programs), path: candidate, argv0: 'busybox' };
      if (program === undefined) return { kind: 'not-executable', path: candidate, reason: 'unsupported' };
      return { kind: 'program', program, path: candidate, argv0: applet };
    }
    if ((node.mode & 0o111) === 0) continue;
    return { kind: 'script', path: candidate };
  }
  return { kind: 'missing', path: name.includes('/') ? candidates[0] : undefined };
}

/** `busybox APPLET args...`. */
function runBusybox(programs: ReadonlyMap<string, Applet>): Applet {
  return async (ctx) => {
    const applet = ctx.argv[1];
    const program = applet === undefined ? undefined : programs.get(applet);
    if (applet === undefined || program === undefined) {
      await ctx.stderr.write(`${applet ?? 'busybox'}: applet not found\n`);
      return 127;
    }
    return program({ ...ctx, argv: ctx.argv.slice(1) });
  };
}
