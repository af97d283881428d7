import { Buffer } from 'node:buffer';
import { BerthError } from '../../../protocol/errors.js';
import { FsError, joinPath } from '../fs/memory-fs.js';
import { APPLETS, type Applet } from './applets.js';
import { InputPipe } from './input-pipe.js';
import { parseShell } from './parse-shell.js';
import type { ProcessContext, ProcessOutput } from './process-context.js';
import { ProcessKilledError } from './process-killed-error.js';
import { resolveCommand } from './resolve-command.js';
import {
  ShellSyntaxError,
  type AndOr,
  type Pipeline,
  type Redirect,
  type ShellCommand,
  type ShellList,
  type SimpleCommand,
  type Word,
} from './shell-syntax.js';

/** `exit N` unwinding to the shell (or subshell) that runs it. */
class ShellExit extends BerthError {
  readonly code = 'ERR_DOCKERD_SHELL_EXIT';
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

interface Io {
  readonly stdin: InputPipe;
  readonly stdout: ProcessOutput;
  readonly stderr: ProcessOutput;
}

type Builtin = (shell: Shell, argv: string[], io: Io) => Promise<number>;

const IFS = /[ \t\n]+/;

function fileOutput(ctx: ProcessContext, path: string): ProcessOutput {
  return {
    async write(data) {
      await ctx.runtime.checkpoint();
      ctx.fs.writeFile(path, typeof data === 'string' ? Buffer.from(data) : data, { append: true });
    },
  };
}

/** A pipe between two pipeline members; writes are dropped once the reader has gone. */
function pipeOutput(pipe: InputPipe, signal: AbortSignal): ProcessOutput {
  return {
    async write(data) {
      if (pipe.ended) return;
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (pipe.write(bytes)) return;
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const off = pipe.onDrain(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
        const onAbort = (): void => {
          off();
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

class Shell {
  readonly vars: Map<string, string>;
  readonly exported: Set<string>;
  cwd: string;
  status = 0;

  constructor(
    readonly ctx: ProcessContext,
    readonly arg0: string,
    public positional: string[],
    vars?: Map<string, string>,
    exported?: Set<string>,
  ) {
    this.vars = vars ?? new Map(ctx.env);
    this.exported = exported ?? new Set(ctx.env.keys());
    this.cwd = ctx.cwd;
  }

  subshell(): Shell {
    const copy = new Shell(
      this.ctx,
      this.arg0,
      [...this.positional],
      new Map(this.vars),
      new Set(this.exported),
    );
    copy.cwd = this.cwd;
    copy.status = this.status;
    return copy;
  }

  environment(extra: ReadonlyMap<string, string>): Map<string, string> {
    const env = new Map<string, string>();
    for (const [key, value] of this.vars) if (this.exported.has(key)) env.set(key, value);
    for (const [key, value] of extra) env.set(key, value);
    return env;
  }

  async error(io: Io, message: string): Promise<void> {
    await io.stderr.write(`sh: ${message}\n`);
  }

  async runList(list: ShellList, io: Io): Promise<number> {
    for (const andOr of list) {
      await this.ctx.runtime.checkpoint();
      if (andOr.background) {
        const job = this.subshell();
        const quiet: Io = { ...io, stdin: InputPipe.closed() };
        // Runs on; the container's end kills it with everything else.
        job.runAndOr(andOr, quiet).catch(() => undefined);
        this.status = 0;
        continue;
      }
      this.status = await this.runAndOr(andOr, io);
    }
    return this.status;
  }

  async runAndOr(andOr: AndOr, io: Io): Promise<number> {
    let status = await this.runPipeline(andOr.first, io);
    for (const { op, pipeline } of andOr.rest) {
      if ((op === '&&' && status !== 0) || (op === '||' && status === 0)) continue;
      this.status = status;
      status = await this.runPipeline(pipeline, io);
    }
    return status;
  }

  async runPipeline(pipeline: Pipeline, io: Io): Promise<number> {
    const { commands } = pipeline;
    let status: number;
    if (commands.length === 1) {
      status = await this.runCommand(commands[0] as ShellCommand, io);
    } else {
      const signal = this.ctx.runtime.signal;
      const pipes = commands.slice(1).map(() => new InputPipe());
      const runs = commands.map(async (command, index) => {
        const stdin = index === 0 ? io.stdin : (pipes[index - 1] as InputPipe);
        const stdout =
          index === commands.length - 1 ? io.stdout : pipeOutput(pipes[index] as InputPipe, signal);
        try {
          return await this.subshell().runCommand(command, { stdin, stdout, stderr: io.stderr });
        } finally {
          pipes[index]?.end();
          // The reader has gone: what the writer still sends is dropped (no SIGPIPE here).
          if (index > 0) pipes[index - 1]?.end();
        }
      });
      const statuses = await Promise.all(runs);
      status = statuses[statuses.length - 1] ?? 0;
    }
    return pipeline.negate ? (status === 0 ? 1 : 0) : status;
  }

  async runCommand(command: ShellCommand, io: Io): Promise<number> {
    if (command.kind === 'group') {
      const redirected = await this.redirect(command.redirects, io);
      if (typeof redirected === 'number') return redirected;
      if (!command.subshell) return this.runList(command.body, redirected);
      const child = this.subshell();
      try {
        return await child.runList(command.body, redirected);
      } catch (error) {
        if (error instanceof ShellExit) return error.status;
        throw error;
      }
    }
    return this.runSimple(command, io);
  }

  async runSimple(command: SimpleCommand, io: Io): Promise<number> {
    const assignments = new Map<string, string>();
    for (const { name, value } of command.assignments)
      assignments.set(name, await this.expandString(value, io));
    const argv: string[] = [];
    for (const word of command.words) argv.push(...(await this.expandFields(word, io)));
    const redirected = await this.redirect(command.redirects, io);
    if (typeof redirected === 'number') return redirected;
    if (argv.length === 0) {
      for (const [name, value] of assignments) this.vars.set(name, value);
      return this.status;
    }
    const name = argv[0] as string;
    const builtin = BUILTINS.get(name);
    if (builtin) return builtin(this, argv, redirected);
    return this.execute(argv, this.environment(assignments), redirected);
  }

  /** Runs an external command (an applet found in PATH, or a script). */
  async execute(argv: string[], env: Map<string, string>, io: Io): Promise<number> {
    const name = argv[0] as string;
    const resolved = resolveCommand(this.ctx.fs, name, PROGRAMS, { path: env.get('PATH'), cwd: this.cwd });
    if (resolved.kind === 'missing') {
      await this.error(io, `${name}: not found`);
      return 127;
    }
    if (resolved.kind === 'not-executable') {
      await this.error(
        io,
        resolved.reason === 'directory' ? `${name}: Permission denied` : `${name}: not found`,
      );
      return resolved.reason === 'directory' ? 126 : 127;
    }
    const base = { ...io, env, fs: this.ctx.fs, runtime: this.ctx.runtime, cwd: this.cwd };
    if (resolved.kind === 'script')
      return runShell({ ...base, argv: ['sh', resolved.path, ...argv.slice(1)] });
    return resolved.program({ ...base, argv: [resolved.argv0, ...argv.slice(1)] });
  }

  async redirect(redirects: readonly Redirect[], io: Io): Promise<Io | number> {
    let current = io;
    for (const redirect of redirects) {
      const target = await this.expandString(redirect.target, io);
      if (redirect.op === '>&' || redirect.op === '<&') {
        const from = target === '1' ? current.stdout : target === '2' ? current.stderr : undefined;
        if (from === undefined) continue;
        if (redirect.fd === 1) current = { ...current, stdout: from };
        else if (redirect.fd === 2) current = { ...current, stderr: from };
        continue;
      }
      const path = joinPath(this.cwd, target);
      if (redirect.op === '<') {
        let data: Buffer;
        try {
          data = this.ctx.fs.readFile(path);
        } catch (error) {
          if (!(error instanceof FsError)) throw error;
          await this.error(io, `can't open '${target}': ${error.text}`);
          return 1;
        }
        const stdin = new InputPipe(Infinity);
        stdin.write(data);
        stdin.end();
        if (redirect.fd === 0) current = { ...current, stdin };
        continue;
      }
      try {
        if (redirect.op === '>') this.ctx.fs.writeFile(path, Buffer.alloc(0));
        else this.ctx.fs.writeFile(path, Buffer.alloc(0), { append: true });
      } catch (error) {
        if (!(error instanceof FsError)) throw error;
        const reason =
          error.errno === 'ENOENT' || error.errno === 'ENOTDIR' ? 'nonexistent directory' : error.text;
        await this.error(io, `can't create ${target}: ${reason}`);
        return 1;
      }
      const out = fileOutput(this.ctx, path);
      if (redirect.fd === 1) current = { ...current, stdout: out };
      else if (redirect.fd === 2) current = { ...current, stderr: out };
    }
    return current;
  }

  async value(part: Exclude<Word[number], { kind: 'literal' }>, io: Io): Promise<string> {
    if (part.kind === 'command') {
      const chunks: Buffer[] = [];
      const capture: ProcessOutput = {
        async write(data) {
          chunks.push(typeof data === 'string' ? Buffer.from(data) : Buffer.from(data));
        },
      };
      const child = this.subshell();
      try {
        this.status = await child.runList(part.body, { ...io, stdout: capture });
      } catch (error) {
        if (!(error instanceof ShellExit)) throw error;
        this.status = error.status;
      }
      return Buffer.concat(chunks).toString('utf8').replace(/\n+$/, '');
    }
    const { name } = part;
    if (name === '?') return String(this.status);
    if (name === '#') return String(this.positional.length);
    if (name === '0') return this.arg0;
    if (name === '$') return String(this.ctx.runtime.pid);
    if (name === '@' || name === '*') return this.positional.join(' ');
    if (name === '!' || name === '-') return '';
    if (/^[0-9]+$/.test(name)) return this.positional[Number(name) - 1] ?? '';
    return this.vars.get(name) ?? '';
  }

  /** Expansion with field splitting of unquoted results ("$@" gives one field per argument). */
  async expandFields(word: Word, io: Io): Promise<string[]> {
    const fields: string[] = [];
    let current = '';
    let started = false;
    const finish = (): void => {
      if (started) fields.push(current);
      current = '';
      started = false;
    };
    for (const part of word) {
      if (part.kind === 'literal') {
        current += part.text;
        started ||= part.quoted || part.text !== '';
        continue;
      }
      if (part.kind === 'param' && part.name === '@' && part.quoted) {
        this.positional.forEach((arg, index) => {
          if (index > 0) finish();
          current += arg;
          started = true;
        });
        continue;
      }
      const value = await this.value(part, io);
      if (part.quoted) {
        current += value;
        started = true;
        continue;
      }
      value.split(IFS).forEach((piece, index) => {
        if (index > 0) finish();
        current += piece;
        started ||= piece !== '';
      });
    }
    finish();
    return fields;
  }

  /** Expansion without field splitting (assignments, redirection targets). */
  async expandString(word: Word, io: Io): Promise<string> {
    let text = '';
    for (const part of word) text += part.kind === 'literal' ? part.text : await this.value(part, io);
    return text;
  }

  /** A context for running an applet as an ash builtin (errors prefixed "sh:"). */
  builtinContext(argv: string[], io: Io): ProcessContext {
    return {
      ...io,
      argv,
      env: this.environment(new Map()),
      fs: this.ctx.fs,
      runtime: this.ctx.runtime,
      cwd: this.cwd,
      errorPrefix: 'sh',
    };
  }
}

const viaApplet =
  (name: string): Builtin =>
  (shell, argv, io) =>
    (APPLETS.get(name) as Applet)(shell.builtinContext(argv, io));

/** `test` / `[`: the common unary and binary primaries. */
function evaluateTest(shell: Shell, args: string[]): boolean {
  if (args[0] === '!') return !evaluateTest(shell, args.slice(1));
  if (args.length === 0) return false;
  if (args.length === 1) return (args[0] as string) !== '';
  const [a = '', op = '', b = ''] = args;
  if (args.length === 2) {
    const operand = op;
    const node = shell.ctx.fs.stat(operand, shell.cwd);
    switch (a) {
      case '-z':
        return operand === '';
      case '-n':
        return operand !== '';
      case '-e':
        return node !== undefined;
      case '-f':
        return node?.kind === 'file';
      case '-d':
        return node?.kind === 'dir';
      case '-s':
        return node?.kind === 'file' && node.data.length > 0;
      default:
        return false;
    }
  }
  const numeric: Record<string, (x: number, y: number) => boolean> = {
    '-eq': (x, y) => x === y,
    '-ne': (x, y) => x !== y,
    '-lt': (x, y) => x < y,
    '-le': (x, y) => x <= y,
    '-gt': (x, y) => x > y,
    '-ge': (x, y) => x >= y,
  };
  if (op === '=' || op === '==') return a === b;
  if (op === '!=') return a !== b;
  const compare = numeric[op];
  return compare ? compare(Number(a), Number(b)) : false;
}

const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  [':', async () => 0],
  ['true', async () => 0],
  ['false', async () => 1],
  ['echo', viaApplet('echo')],
  ['printf', viaApplet('printf')],
  [
    'pwd',
    async (shell, _argv, io) => {
      await io.stdout.write(`${shell.cwd}\n`);
      return 0;
    },
  ],
  [
    'cd',
    async (shell, argv, io) => {
      const target = argv[1] ?? shell.vars.get('HOME') ?? '/';
      const path = joinPath(shell.cwd, target);
      const node = shell.ctx.fs.stat(path);
      if (node?.kind !== 'dir') {
        await shell.error(
          io,
          `cd: can't cd to ${target}: ${node ? 'Not a directory' : 'No such file or directory'}`,
        );
        return 2;
      }
      shell.cwd = path;
      shell.vars.set('PWD', path);
      return 0;
    },
  ],
  [
    'exit',
    async (shell, argv, io) => {
      const arg = argv[1];
      if (arg === undefined) throw new ShellExit(shell.status);
      if (!/^-?[0-9]+$/.test(arg)) {
        await shell.error(io, `exit: Illegal number: ${arg}`);
        throw new ShellExit(2);
      }
      throw new ShellExit(((Number(arg) % 256) + 256) % 256);
    },
  ],
  [
    'read',
    async (shell, argv, io) => {
      const names = argv.slice(1).filter((arg) => !arg.startsWith('-'));
      if (names.length === 0) names.push('REPLY');
      const { line, eof } = await io.stdin.readLine(shell.ctx.runtime.signal);
      const fields = (line ?? '').replace(/^[ \t]+|[ \t]+$/g, '');
      const parts = fields === '' ? [] : fields.split(/[ \t]+/);
      names.forEach((name, index) => {
        const last = index === names.length - 1;
        shell.vars.set(name, last ? parts.slice(index).join(' ') : (parts[index] ?? ''));
      });
      return eof ? 1 : 0;
    },
  ],
  [
    'export',
    async (shell, argv) => {
      for (const arg of argv.slice(1)) {
        const eq = arg.indexOf('=');
        const name = eq < 0 ? arg : arg.slice(0, eq);
        if (eq >= 0) shell.vars.set(name, arg.slice(eq + 1));
        shell.exported.add(name);
      }
      return 0;
    },
  ],
  [
    'unset',
    async (shell, argv) => {
      for (const name of argv.slice(1)) {
        shell.vars.delete(name);
        shell.exported.delete(name);
      }
      return 0;
    },
  ],
  [
    'shift',
    async (shell, argv) => {
      shell.positional = shell.positional.slice(Number(argv[1] ?? 1));
      return 0;
    },
  ],
  [
    'exec',
    async (shell, argv, io) => {
      if (argv.length === 1) return 0;
      throw new ShellExit(await shell.execute(argv.slice(1), shell.environment(new Map()), io));
    },
  ],
  ['test', async (shell, argv) => (evaluateTest(shell, argv.slice(1)) ? 0 : 1)],
  [
    '[',
    async (shell, argv, io) => {
      if (argv[argv.length - 1] !== ']') {
        await shell.error(io, '[: missing ]');
        return 2;
      }
      return evaluateTest(shell, argv.slice(1, -1)) ? 0 : 1;
    },
  ],
]);

async function runScript(shell: Shell, script: string, io: Io): Promise<number> {
  let list: ShellList;
  try {
    list = parseShell(script);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    await shell.error(io, error.message);
    return 2;
  }
  return shell.runList(list, io);
}

/**
 * busybox `sh`: `sh -c SCRIPT [ARG0 [ARGS...]]`, `sh FILE [ARGS...]`, or commands read from stdin
 * line by line (with a "/ # " prompt on a TTY). A syntax error exits 2; `exit N` exits N.
 */
export const runShell: Applet = async (ctx) => {
  const args = ctx.argv.slice(1);
  let index = 0;
  let command: string | undefined;
  while (index < args.length && /^-[a-z]+$/.test(args[index] as string)) {
    if ((args[index] as string).includes('c')) command = args[++index] ?? '';
    index += 1;
    if (command !== undefined) break;
  }
  const io: Io = { stdin: ctx.stdin, stdout: ctx.stdout, stderr: ctx.stderr };
  try {
    if (command !== undefined) {
      const shell = new Shell(ctx, args[index] ?? 'sh', args.slice(index + 1));
      return await runScript(shell, command, io);
    }
    if (index < args.length) {
      const file = args[index] as string;
      const shell = new Shell(ctx, file, args.slice(index + 1));
      let script: string;
      try {
        script = ctx.fs.readFile(file, ctx.cwd).toString('utf8');
      } catch (error) {
        if (!(error instanceof FsError)) throw error;
        await shell.error(io, `can't open '${file}': ${error.text}`);
        return 127;
      }
      return await runScript(shell, script.replace(/^#!.*\n/, ''), io);
    }
    const shell = new Shell(ctx, 'sh', []);
    for (;;) {
      if (ctx.runtime.tty) await ctx.stdout.write(`${shell.cwd} # `);
      const { line } = await ctx.stdin.readLine(ctx.runtime.signal);
      if (line === null) return shell.status;
      await runScript(shell, line, io);
    }
  } catch (error) {
    if (error instanceof ShellExit) return error.status;
    if (error instanceof ProcessKilledError) throw error;
    throw error;
  }
};

/** Everything a container can execute: the applets and the shell. */
export const PROGRAMS: ReadonlyMap<string, Applet> = new Map<string, Applet>([...APPLETS, ['sh', runShell]]);
