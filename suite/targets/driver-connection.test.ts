import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DriverConnection, STDERR_TAIL_LIMIT, type DriverConnectionOptions } from './driver-connection.js';
import { eventually } from '../support/poll.js';

const ROOT = join(import.meta.dirname, '..', '..');
const REFERENCE_REGISTRY = `node ${join(ROOT, 'bin', 'berth.js')} driver registry`;

/** Small drivers that misbehave on purpose, written to a temp folder as ES modules. */
const SCRIPTS: Record<string, string> = {
  // Answers the hello, then dies on the next request with a message on stderr.
  'dies.mjs': `
    import { createInterface } from 'node:readline';
    const lines = createInterface({ input: process.stdin });
    let seen = 0;
    lines.on('line', (line) => {
      const { id } = JSON.parse(line);
      if (seen++ === 0) {
        process.stdout.write(JSON.stringify({ id, ok: true, result: { name: 'dies', version: '0', protocol: 1, components: ['registry'] } }) + '\\n');
      } else {
        process.stderr.write('fatal: the registry lost its mind\\n');
        process.exit(3);
      }
    });`,
  // Reads and never answers.
  'silent.mjs': `process.stderr.write('silent driver listening\\n'); process.stdin.resume();`,
  // Prints something that is not a protocol line, then waits.
  'garbage.mjs': `process.stdout.write('Starting driver v1...\\n'); process.stdin.resume();`,
  // Writes 20 KiB to stderr, the last line a marker, then exits 1.
  'noisy.mjs': `
    for (let i = 0; i < 200; i++) process.stderr.write('noise '.repeat(16) + i + '\\n');
    process.stderr.write('LAST LINE\\n');
    process.exit(1);`,
  // Answers every request in two writes, 30 ms apart, split inside the JSON.
  'split.mjs': `
    import { createInterface } from 'node:readline';
    createInterface({ input: process.stdin }).on('line', (line) => {
      const { id } = JSON.parse(line);
      const text = JSON.stringify({ id, ok: true, result: { name: 'split', version: '0', protocol: 1, components: ['registry'] } }) + '\\n';
      process.stdout.write(text.slice(0, 17));
      setTimeout(() => process.stdout.write(text.slice(17)), 30);
    });`,
  // Answers with one enormous line.
  'long.mjs': `
    import { createInterface } from 'node:readline';
    createInterface({ input: process.stdin }).on('line', () => process.stdout.write('{"id":1,"ok":true,"result":"' + 'x'.repeat(200000) + '"}\\n'));`,
};

let dir = '';
const connections: DriverConnection[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-driver-connection-'));
  for (const [name, text] of Object.entries(SCRIPTS)) await writeFile(join(dir, name), text);
});

afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => connection[Symbol.asyncDispose]()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function connect(command: string, options: Partial<DriverConnectionOptions> = {}): DriverConnection {
  const connection = new DriverConnection({ command, exitGraceMs: 300, ...options });
  connections.push(connection);
  return connection;
}

const script = (name: string): string => `node ${join(dir, name)}`;

/** True while `pid` is a live process (a zombie nobody reaped yet counts as gone). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

describe('DriverConnection', { timeout: 30_000 }, () => {
  it('greets the reference registry driver and serves requests', async () => {
    const connection = connect(REFERENCE_REGISTRY);
    const hello = await connection.hello(15_000);
    expect(hello).toMatchObject({ name: 'berth-reference-registry', protocol: 1, components: ['registry'] });
    const { handle } = (await connection.request('registry.create', {})) as { handle: string };
    await connection.request('registry.record', { handle, id: 'web', role: 'native' });
    await expect(connection.request('registry.lookup', { handle, id: 'web' })).resolves.toEqual({
      kind: 'found',
      role: 'native',
    });
  });

  it('closes the driver with EOF on disposal: it exits 0 and leaves no process', async () => {
    const connection = connect(REFERENCE_REGISTRY);
    await connection.hello(15_000);
    const pid = connection.pid as number;
    await connection[Symbol.asyncDispose]();
    expect(connection.exitStatus).toEqual({ code: 0, signal: null });
    expect(isRunning(pid)).toBe(false);
  });

  it('fails every waiting call with the exit code and stderr tail when the driver exits', async () => {
    const connection = connect(script('dies.mjs'));
    await connection.hello(5000);
    const calls = [connection.request('registry.create', {}), connection.request('registry.create', {})];
    for (const call of calls) {
      const error = await call.catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_DRIVER_EXITED', exitCode: 3, signal: null });
      expect((error as { stderrTail: string }).stderrTail).toContain('the registry lost its mind');
      expect((error as Error).message).toMatch(/exited with code 3[\s\S]*lost its mind/);
    }
    await expect(connection.request('registry.create', {})).rejects.toMatchObject({
      code: 'ERR_DRIVER_EXITED',
    });
  });

  it('keeps only the last 8 KiB of stderr', async () => {
    const connection = connect(script('noisy.mjs'));
    await expect(connection.hello(5000)).rejects.toMatchObject({ code: 'ERR_DRIVER_EXITED', exitCode: 1 });
    const tail = connection.stderrTail();
    expect(tail.length).toBeLessThanOrEqual(STDERR_TAIL_LIMIT);
    expect(tail.endsWith('LAST LINE\n')).toBe(true);
  });

  it('times a call out with a typed error carrying the stderr tail', async () => {
    const connection = connect(script('silent.mjs'), { callTimeoutMs: 100 });
    await eventually(() => connection.stderrTail() !== '', {
      description: 'the silent driver to say it listens',
    });
    const error = await connection.request('registry.create', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DRIVER_TIMEOUT', op: 'registry.create', timeoutMs: 100 });
    expect((error as Error).message).toContain('silent driver listening');
    await expect(connection.hello(100)).rejects.toMatchObject({ code: 'ERR_DRIVER_TIMEOUT' });
  });

  it('fails on a line that is not a protocol message, naming it, and disposal ends the driver', async () => {
    const connection = connect(script('garbage.mjs'));
    const error = await connection.hello(5000).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DRIVER_MALFORMED_LINE', line: 'Starting driver v1...' });
    const pid = connection.pid as number;
    await connection[Symbol.asyncDispose]();
    expect(isRunning(pid)).toBe(false);
  });

  it('reassembles an answer the driver writes in pieces', async () => {
    const connection = connect(script('split.mjs'));
    await expect(connection.hello(5000)).resolves.toMatchObject({ name: 'split' });
  });

  it('refuses a line over the cap', async () => {
    const connection = connect(script('long.mjs'), { maxLineBytes: 100_000 });
    await expect(connection.hello(5000)).rejects.toMatchObject({
      code: 'ERR_DRIVER_LINE_TOO_LONG',
      limit: 100_000,
    });
  });

  it('reports a driver that cannot start (a command that does not exist) with its exit status', async () => {
    const connection = connect('berth-no-such-driver-command --serve');
    const error = await connection.hello(5000).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DRIVER_EXITED', exitCode: 127 });
    expect((error as Error).message).toMatch(/not found/);
  });

  it('reports an exit at once even when a process the driver left behind holds its stdout', async () => {
    const connection = connect(`sleep 1000 & echo "child $!" >&2; read line; exit 5`, {
      callTimeoutMs: 10_000,
    });
    // Waiting for stdout to close (held by the sleep) would end in the hello's own 10 s deadline,
    // a different code: the exit code 5 is what shows the exit was seen at once.
    await expect(connection.hello(10_000)).rejects.toMatchObject({ code: 'ERR_DRIVER_EXITED', exitCode: 5 });
    const child = Number(/child (\d+)/.exec(connection.stderrTail())?.[1]);
    expect(isRunning(child)).toBe(true);
    await connection[Symbol.asyncDispose]();
    await eventually(() => !isRunning(child), { description: `the driver's child ${child} to exit` });
  });

  it('kills a driver that ignores EOF and SIGTERM, and what it started', async () => {
    const connection = connect(`trap '' TERM; sleep 1000 & echo "child $!" >&2; wait`, { exitGraceMs: 200 });
    const child = await eventually(() => Number(/child (\d+)/.exec(connection.stderrTail())?.[1] ?? 0), {
      description: 'the driver to name the child it started',
    });
    expect(child).toBeGreaterThan(0);
    const pid = connection.pid as number;
    await connection[Symbol.asyncDispose]();
    expect(connection.exitStatus?.signal).toBe('SIGKILL');
    expect(isRunning(pid)).toBe(false);
    await eventually(() => !isRunning(child), { description: `the driver's child ${child} to exit` });
  });
});
