import type { MemoryFs } from '../fs/memory-fs.js';
import type { InputPipe } from './input-pipe.js';
import type { ProcessOutput, ProcessRuntime } from './process-context.js';
import { ProcessKilledError } from './process-killed-error.js';
import { resolveCommand } from './resolve-command.js';
import { PROGRAMS, runShell } from './run-shell.js';

export interface LaunchOptions {
  readonly argv: readonly string[];
  readonly env: Map<string, string>;
  readonly cwd: string;
  readonly fs: MemoryFs;
  readonly stdin: InputPipe;
  readonly stdout: ProcessOutput;
  readonly stderr: ProcessOutput;
  readonly runtime: ProcessRuntime;
}

/**
 * What execve answers: a running process (its exit status resolves when it ends; 128 + N when
 * signal N killed it), or the runc error text and the status docker records for it.
 */
export type Launch =
  | { readonly ok: true; readonly exit: Promise<number> }
  | { readonly ok: false; readonly message: string; readonly exitCode: number };

/**
 * Starts `argv` like runc does in a container: argv[0] is looked up in PATH (or is a path), and
 * failures are reported before anything runs, with runc's wording.
 */
export function launchProgram(options: LaunchOptions): Launch {
  const name = options.argv[0] ?? '';
  const resolved = resolveCommand(options.fs, name, PROGRAMS, {
    path: options.env.get('PATH'),
    cwd: options.cwd,
  });
  if (resolved.kind === 'missing') {
    const message = name.includes('/')
      ? `exec: "${name}": stat ${name}: no such file or directory`
      : `exec: "${name}": executable file not found in $PATH`;
    return { ok: false, message, exitCode: 127 };
  }
  if (resolved.kind === 'not-executable') {
    const message =
      resolved.reason === 'directory'
        ? `exec: "${name}": permission denied`
        : `exec: "${name}": applet not simulated`;
    return { ok: false, message, exitCode: resolved.reason === 'directory' ? 126 : 127 };
  }
  const argv =
    resolved.kind === 'script'
      ? ['sh', resolved.path, ...options.argv.slice(1)]
      : [resolved.argv0, ...options.argv.slice(1)];
  const program = resolved.kind === 'script' ? runShell : resolved.program;
  const exit = (async () => {
    try {
      return await program({ ...options, argv });
    } catch (error) {
      if (error instanceof ProcessKilledError) return 128 + error.signal;
      const message = error instanceof Error ? error.message : String(error);
      await options.stderr.write(`${argv[0]}: simulator error: ${message}\n`).catch(() => undefined);
      return 255;
    }
  })();
  return { ok: true, exit };
}
