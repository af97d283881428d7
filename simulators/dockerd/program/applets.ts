import { Buffer } from 'node:buffer';
import { FsError, joinPath } from '../fs/memory-fs.js';
import { expandEscapes, formatPrintf } from './format-printf.js';
import type { ProcessContext } from './process-context.js';

/** A busybox applet: runs to completion and resolves with its exit status. */
export type Applet = (ctx: ProcessContext) => Promise<number>;

const errnoText = (error: unknown): string => (error instanceof FsError ? error.text : String(error));

async function fail(ctx: ProcessContext, message: string, status = 1): Promise<number> {
  await ctx.stderr.write(`${ctx.errorPrefix ?? ctx.argv[0] ?? 'sh'}: ${message}\n`);
  return status;
}

/** Leading options of the form -abc (until "--" or a non-option). */
function options(argv: readonly string[], known: string): { flags: Set<string>; rest: string[] } {
  const flags = new Set<string>();
  let index = 1;
  for (; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--') {
      index += 1;
      break;
    }
    if (!/^-[A-Za-z]+$/.test(arg) || ![...arg.slice(1)].every((c) => known.includes(c))) break;
    for (const c of arg.slice(1)) flags.add(c);
  }
  return { flags, rest: argv.slice(index) };
}

const echo: Applet = async (ctx) => {
  let index = 1;
  let newline = true;
  let escapes = false;
  for (; index < ctx.argv.length; index += 1) {
    const arg = ctx.argv[index] as string;
    if (!/^-[neE]+$/.test(arg)) break;
    for (const c of arg.slice(1)) {
      if (c === 'n') newline = false;
      else escapes = c === 'e';
    }
  }
  let text = ctx.argv.slice(index).join(' ');
  if (escapes) {
    const expanded = expandEscapes(text);
    text = expanded.text;
    if (expanded.stop) newline = false;
  }
  await ctx.stdout.write(newline ? `${text}\n` : text);
  return 0;
};

const printf: Applet = async (ctx) => {
  const [, format, ...args] = ctx.argv;
  if (format === undefined) return fail(ctx, 'usage: printf FORMAT [ARGUMENT...]', 2);
  const { output, invalid } = formatPrintf(format, args);
  if (output !== '') await ctx.stdout.write(output);
  for (const arg of invalid)
    await ctx.stderr.write(`${ctx.errorPrefix ?? 'printf'}: invalid number '${arg}'\n`);
  return invalid.length > 0 ? 1 : 0;
};

const cat: Applet = async (ctx) => {
  const files = ctx.argv.slice(1).filter((arg) => arg !== '-u');
  if (files.length === 0) files.push('-');
  let status = 0;
  for (const file of files) {
    if (file === '-') {
      for (
        let chunk = await ctx.stdin.read(ctx.runtime.signal);
        chunk;
        chunk = await ctx.stdin.read(ctx.runtime.signal)
      ) {
        await ctx.stdout.write(chunk);
      }
      continue;
    }
    try {
      const node = ctx.fs.stat(file, ctx.cwd);
      if (node?.kind === 'dir') {
        status = await fail(ctx, 'read error: Is a directory');
        continue;
      }
      const data = ctx.fs.readFile(file, ctx.cwd);
      if (data.length > 0) await ctx.stdout.write(data);
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      status = await fail(ctx, `can't open '${file}': ${errnoText(error)}`);
    }
  }
  return status;
};

/** busybox sleep: seconds with an optional s/m/h/d suffix, several arguments add up. */
const sleep: Applet = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length === 0) return fail(ctx, 'missing operand');
  let total = 0;
  for (const arg of args) {
    if (/^inf(inity)?$/i.test(arg)) {
      total = Infinity;
      continue;
    }
    const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (!match) return fail(ctx, `invalid number '${arg}'`);
    const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
    total += Number(match[1]) * unit;
  }
  await ctx.runtime.sleep(total * 1000);
  return 0;
};

const env: Applet = async (ctx) => {
  let text = '';
  for (const [key, value] of ctx.env) text += `${key}=${value}\n`;
  await ctx.stdout.write(text);
  return 0;
};

const pwd: Applet = async (ctx) => {
  await ctx.stdout.write(`${ctx.cwd}\n`);
  return 0;
};

const head: Applet = async (ctx) => {
  const argv = ctx.argv.slice(1);
  let bytes: number | undefined;
  let lines = 10;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const value = (): string => (arg.length > 2 ? arg.slice(2) : (argv[++i] ?? ''));
    if (arg.startsWith('-c')) bytes = Number(value());
    else if (arg.startsWith('-n')) lines = Number(value());
    else if (/^-\d+$/.test(arg)) lines = Number(arg.slice(1));
    else files.push(arg);
    if ((bytes !== undefined && !Number.isInteger(bytes)) || !Number.isInteger(lines))
      return fail(ctx, `invalid number '${arg}'`);
  }
  const readAll = async (file: string): Promise<Buffer | undefined> => {
    try {
      return ctx.fs.readFile(file, ctx.cwd);
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      await fail(ctx, `can't open '${file}': ${errnoText(error)}`);
      return undefined;
    }
  };
  if (files.length === 0) {
    if (bytes !== undefined) {
      const data = await ctx.stdin.readBytes(bytes, ctx.runtime.signal);
      if (data.length > 0) await ctx.stdout.write(data);
      return 0;
    }
    for (let n = 0; n < lines; n += 1) {
      const { line, eof } = await ctx.stdin.readLine(ctx.runtime.signal);
      if (line === null) break;
      await ctx.stdout.write(eof ? line : `${line}\n`);
      if (eof) break;
    }
    return 0;
  }
  let status = 0;
  for (const file of files) {
    const data = await readAll(file);
    if (data === undefined) {
      status = 1;
      continue;
    }
    if (bytes !== undefined) {
      await ctx.stdout.write(data.subarray(0, bytes));
      continue;
    }
    let end = 0;
    for (let n = 0; n < lines && end < data.length; n += 1) {
      const newline = data.indexOf(0x0a, end);
      end = newline < 0 ? data.length : newline + 1;
    }
    await ctx.stdout.write(data.subarray(0, end));
  }
  return status;
};

const mkdir: Applet = async (ctx) => {
  const { flags, rest } = options(ctx.argv, 'p');
  if (rest.length === 0) return fail(ctx, 'missing operand');
  let status = 0;
  for (const dir of rest) {
    try {
      ctx.fs.mkdir(dir, { cwd: ctx.cwd, parents: flags.has('p') });
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      status = await fail(ctx, `can't create directory '${dir}': ${errnoText(error)}`);
    }
  }
  return status;
};

const ls: Applet = async (ctx) => {
  const { flags, rest } = options(ctx.argv, 'alA1'); // -l is accepted and printed as -1
  const targets = rest.length === 0 ? ['.'] : rest;
  let status = 0;
  let out = '';
  const dirs: string[] = [];
  for (const target of targets) {
    const node = ctx.fs.stat(target, ctx.cwd);
    if (node === undefined) {
      await ctx.stderr.write(`ls: ${target}: No such file or directory\n`);
      status = 1;
    } else if (node.kind === 'dir') dirs.push(target);
    else out += `${target}\n`;
  }
  for (const dir of dirs) {
    if (targets.length > 1) out += `${out === '' ? '' : '\n'}${dir}:\n`;
    const names = ctx.fs
      .readdir(dir, ctx.cwd)
      .filter((name) => flags.has('a') || flags.has('A') || !name.startsWith('.'));
    if (flags.has('a')) names.unshift('.', '..');
    for (const name of names) out += `${name}\n`;
  }
  if (out !== '') await ctx.stdout.write(out);
  return status;
};

const rm: Applet = async (ctx) => {
  const { flags, rest } = options(ctx.argv, 'rfR');
  let status = 0;
  for (const target of rest) {
    const node = ctx.fs.lstat(target, ctx.cwd);
    if (node === undefined) {
      if (!flags.has('f')) status = await fail(ctx, `can't remove '${target}': No such file or directory`);
      continue;
    }
    if (node.kind === 'dir' && !flags.has('r') && !flags.has('R')) {
      status = await fail(ctx, `'${target}' is a directory`);
      continue;
    }
    ctx.fs.remove(joinPath(ctx.cwd, target), { recursive: true });
  }
  return status;
};

const touch: Applet = async (ctx) => {
  let status = 0;
  for (const target of ctx.argv.slice(1).filter((arg) => !arg.startsWith('-'))) {
    try {
      const node = ctx.fs.stat(target, ctx.cwd);
      if (node) node.mtimeNs = ctx.fs.now();
      else ctx.fs.writeFile(target, Buffer.alloc(0), { cwd: ctx.cwd });
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      status = await fail(ctx, `${target}: ${errnoText(error)}`);
    }
  }
  return status;
};

const grep: Applet = async (ctx) => {
  const { flags, rest } = options(ctx.argv, 'vicqF');
  const [pattern, ...files] = rest;
  if (pattern === undefined) return fail(ctx, 'usage: grep PATTERN [FILE]...', 2);
  const escaped = flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern;
  const regex = new RegExp(escaped, flags.has('i') ? 'i' : '');
  let text: string;
  if (files.length === 0) {
    const chunks: Buffer[] = [];
    for (
      let chunk = await ctx.stdin.read(ctx.runtime.signal);
      chunk;
      chunk = await ctx.stdin.read(ctx.runtime.signal)
    )
      chunks.push(chunk);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    try {
      text = files.map((file) => ctx.fs.readFile(file, ctx.cwd).toString('utf8')).join('');
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      return fail(ctx, `${error.path}: ${error.text}`, 2);
    }
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const matched = lines.filter((line) => regex.test(line) !== flags.has('v'));
  if (flags.has('c')) await ctx.stdout.write(`${matched.length}\n`);
  else if (!flags.has('q') && matched.length > 0)
    await ctx.stdout.write(matched.map((line) => `${line}\n`).join(''));
  return matched.length > 0 ? 0 : 1;
};

const hostname: Applet = async (ctx) => {
  await ctx.stdout.write(`${ctx.runtime.hostname}\n`);
  return 0;
};

const stty: Applet = async (ctx) => {
  const tty = ctx.runtime.tty;
  if (tty === undefined) return fail(ctx, 'standard input: Not a tty');
  if (ctx.argv[1] === 'size') await ctx.stdout.write(`${tty.rows} ${tty.cols}\n`);
  return 0;
};

const id: Applet = async (ctx) => {
  await ctx.stdout.write(ctx.argv[1] === '-u' ? '0\n' : 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
  return 0;
};

const whoami: Applet = async (ctx) => {
  await ctx.stdout.write('root\n');
  return 0;
};

/** The applets the simulated busybox implements (each is a symlink in the image's /bin). */
export const APPLETS: ReadonlyMap<string, Applet> = new Map<string, Applet>([
  ['cat', cat],
  ['echo', echo],
  ['env', env],
  ['false', async () => 1],
  ['grep', grep],
  ['head', head],
  ['hostname', hostname],
  ['id', id],
  ['ls', ls],
  ['mkdir', mkdir],
  ['printf', printf],
  ['pwd', pwd],
  ['rm', rm],
  ['sleep', sleep],
  ['stty', stty],
  ['touch', touch],
  ['true', async () => 0],
  ['whoami', whoami],
]);
