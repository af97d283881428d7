import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClauseResult, ResultsFile } from '../../reports/model/results.js';
import { catalogue } from '../clauses/index.js';
import { beginTranscript, endTranscript } from '../support/transcript.js';
import { createDriverCommandTarget, probeDriverCommandTarget } from './driver-command.js';
import type { Target } from './target.js';

const ROOT = join(import.meta.dirname, '..', '..');
const REGISTRY_DRIVER = 'node bin/berth.js driver registry';
const DISPATCH_DRIVER = 'node bin/berth.js driver dispatch';

/** Drivers that misbehave on purpose (ES modules written to a temp folder). */
const SCRIPTS: Record<string, string> = {
  // A registry driver whose every lookup answers the wrong role.
  'wrong-registry.mjs': `
    import { createInterface } from 'node:readline';
    const send = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
    process.stderr.write('wrong-registry: serving\\n');
    createInterface({ input: process.stdin }).on('line', (line) => {
      const { id, op } = JSON.parse(line);
      if (op === 'driver.hello')
        send({ id, ok: true, result: { name: 'wrong-registry', version: '0.0.1', protocol: 1, components: ['registry'] } });
      else if (op === 'registry.create') send({ id, ok: true, result: { handle: 'h1' } });
      else if (op === 'registry.lookup') send({ id, ok: true, result: { kind: 'found', role: 'wrong-role' } });
      else send({ id, ok: true, result: null });
    });`,
  // Speaks another protocol version.
  'future.mjs': `
    import { createInterface } from 'node:readline';
    createInterface({ input: process.stdin }).on('line', (line) => {
      const { id } = JSON.parse(line);
      process.stdout.write(JSON.stringify({ id, ok: true, result: { name: 'future', version: '9', protocol: 2, components: ['registry'] } }) + '\\n');
    });`,
};

let dir = '';
const script = (name: string): string => `node ${join(dir, name)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-driver-command-'));
  for (const [name, text] of Object.entries(SCRIPTS)) await writeFile(join(dir, name), text);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rejection = async (promise: Promise<unknown>): Promise<Error & { code?: string }> => {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
};

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A driver that starts and never says a word. */
const SILENT_DRIVER = 'sleep 30';

describe('probeDriverCommandTarget', { timeout: 30_000 }, () => {
  it('greets the reference driver and records what it said about itself', async () => {
    const probe = await probeDriverCommandTarget({ command: REGISTRY_DRIVER, readyTimeoutMs: 15_000 });
    expect(probe.facts).toMatchObject({
      name: 'berth-reference-registry',
      protocol: 1,
      components: ['registry'],
    });
    expect(probe.description).toBe(
      'driver berth-reference-registry 0.1.0 (driver protocol 1 over its stdin/stdout; components: registry)',
    );
    expect(probe.description).not.toContain(REGISTRY_DRIVER); // a command line may hold secrets
  });

  it.each([
    ['no command at all', undefined, /needs the driver's command line/],
    ['a driver that exits at once', 'node -e "process.exit(3)"', /exited with code 3/],
    ['a command that does not exist', 'berth-no-such-driver', /exited with code 127[\s\S]*not found/],
    [
      'a driver that prints something else',
      `node -e "console.log('Driver ready!'); process.stdin.resume()"`,
      /malformed protocol line \(not JSON\): "Driver ready!"/,
    ],
    [
      'a driver that explains itself on stderr before exiting',
      `sh -c 'echo "config file missing" >&2; exit 4'`,
      /exited with code 4[\s\S]*config file missing/,
    ],
    ['a driver that never answers', SILENT_DRIVER, /no answer to driver\.hello .* within 300 ms/],
  ])('fails with a clear message for %s', async (_what, command, message) => {
    // Only the silent driver waits out the deadline; the others must fail on their own account,
    // however long a loaded machine takes to start them.
    const readyTimeoutMs = command === SILENT_DRIVER ? 300 : 20_000;
    const error = await rejection(
      probeDriverCommandTarget({ ...(command === undefined ? {} : { command }), readyTimeoutMs }),
    );
    expect(error.code).toBe('ERR_SUITE_TARGET_UNAVAILABLE');
    expect(error.message).toMatch(message);
  });

  it('fails for a driver speaking another protocol version', async () => {
    const error = await rejection(
      probeDriverCommandTarget({ command: script('future.mjs'), readyTimeoutMs: 5000 }),
    );
    expect(error.code).toBe('ERR_SUITE_TARGET_UNAVAILABLE');
    expect(error.message).toContain('protocol 2');
  });
});

describe('createDriverCommandTarget', { timeout: 30_000 }, () => {
  it('needs a command', () => {
    expect(() => createDriverCommandTarget({})).toThrow(
      expect.objectContaining({ code: 'ERR_SUITE_TARGET_UNAVAILABLE' }),
    );
  });

  it('offers registry and dispatch only, and starts nothing until a facet is used', async () => {
    await using target = createDriverCommandTarget({ command: 'exit 1' }, {});
    expect(target.name).toBe('driver-command');
    expect(target.registry).toBeDefined();
    expect(target.dispatch).toBeDefined();
    for (const facet of ['transport', 'proxy', 'snapshot', 'engine'] as const)
      expect(target[facet]).toBeUndefined();
  });

  it('offers only the components the run probe found for this very command', async () => {
    const probe = await probeDriverCommandTarget({ command: DISPATCH_DRIVER, readyTimeoutMs: 15_000 });
    const env = { BERTH_TARGET_PROBE: JSON.stringify(probe) };
    await using probed = createDriverCommandTarget({ command: DISPATCH_DRIVER }, env);
    expect(probed.registry).toBeUndefined();
    expect(probed.dispatch).toBeDefined();
    await using other = createDriverCommandTarget({ command: REGISTRY_DRIVER }, env);
    expect(other.registry).toBeDefined();
    expect(other.dispatch).toBeDefined();
    await using garbled = createDriverCommandTarget(
      { command: DISPATCH_DRIVER },
      { BERTH_TARGET_PROBE: '{' },
    );
    expect(garbled.registry).toBeDefined();
  });

  it('serves registries from one lazily started driver, recording each exchange in the transcript', async () => {
    let target: Target | undefined = createDriverCommandTarget(
      {
        command: REGISTRY_DRIVER,
        readyTimeoutMs: 15_000,
      },
      {},
    );
    beginTranscript();
    try {
      const first = await target.registry!.create();
      const second = await target.registry!.create();
      await first.record('web', 'native');
      expect(await first.lookup('web')).toEqual({ kind: 'found', role: 'native' });
      expect(await second.lookup('web')).toEqual({ kind: 'missing' });
      expect(await first.forget('web')).toBe('native');
      expect(await first.forget('web')).toBeUndefined();
    } finally {
      const transcript = endTranscript();
      expect(
        transcript
          .filter((entry) => entry.peer === 'driver')
          .map((entry) => (JSON.parse(entry.sent) as { op: string }).op),
      ).toEqual([
        'driver.hello',
        'registry.create',
        'registry.create',
        'registry.record',
        'registry.lookup',
        'registry.lookup',
        'registry.forget',
        'registry.forget',
      ]);
      expect(transcript.at(-1)?.received).toBe('{"id":8,"ok":true,"result":null}');
      await target[Symbol.asyncDispose]();
      target = undefined;
    }
  });

  it('builds composites over the suite doubles, and disposes an instance on the driver when asked', async () => {
    await using target = createDriverCommandTarget({ command: DISPATCH_DRIVER, readyTimeoutMs: 15_000 }, {});
    const dispatch = target.dispatch!;
    const primary = dispatch.mockRuntime('primary');
    const delegate = dispatch.fakeRuntime('delegate');
    const osInspector = dispatch.imageInspector({ caches: [{ 'alpine:latest': 'linux' as const }] });
    const composite = (await dispatch.create({ primary, delegate, osInspector })) as Awaited<
      ReturnType<typeof dispatch.create>
    > &
      AsyncDisposable;
    const id = { service: 'web', replica: 1 };
    await composite.pullImage('alpine');
    await composite.createContainer(id, { image: 'alpine', labels: {} });
    await composite.startContainer(id);
    expect((await composite.exec(id, ['hostname'])).stdout).toBe('delegate\n');
    expect(osInspector.asked).toEqual(['alpine']);
    expect(primary.calls.map((call) => call.method)).toEqual(['pullImage']);
    await composite[Symbol.asyncDispose]();
    expect(await rejection(composite.listImages())).toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN_HANDLE',
    });

    await using registries = createDriverCommandTarget(
      { command: REGISTRY_DRIVER, readyTimeoutMs: 15_000 },
      {},
    );
    const registry = (await registries.registry!.create()) as Awaited<
      ReturnType<NonNullable<Target['registry']>['create']>
    > &
      AsyncDisposable;
    await registry[Symbol.asyncDispose]();
    expect(await rejection(Promise.resolve(registry.lookup('web')))).toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN_HANDLE',
    });
  });

  it('disables a clause whose component the driver does not offer', async () => {
    await using target = createDriverCommandTarget({ command: REGISTRY_DRIVER, readyTimeoutMs: 15_000 }, {});
    const dispatch = target.dispatch!;
    const error = await rejection(dispatch.create({ primary: dispatch.mockRuntime('primary') }));
    expect(error.code).toBe('ERR_TARGET_CANNOT_CONFIGURE');
    expect(error.message).toContain('offers no dispatch component (it offers: registry)');
  });

  it('starts the driver again after it died, failing the calls that were in flight', async () => {
    await using target = createDriverCommandTarget({ command: REGISTRY_DRIVER, readyTimeoutMs: 15_000 }, {});
    const registry = await target.registry!.create();
    expect(await registry.lookup('x')).toEqual({ kind: 'missing' });
    // Kill the driver's process group from the outside.
    const driverPid = await findDriverPid('driver registry');
    process.kill(-driverPid, 'SIGKILL');
    const error = await rejection(Promise.resolve(registry.lookup('x')));
    expect(error.code).toMatch(/^ERR_DRIVER_(EXITED|CLOSED)$/);
    const fresh = await target.registry!.create();
    await expect(Promise.resolve(fresh.lookup('x'))).resolves.toEqual({ kind: 'missing' });
  });

  it('leaves no driver process behind once disposed', async () => {
    const target = createDriverCommandTarget({ command: REGISTRY_DRIVER, readyTimeoutMs: 15_000 }, {});
    await target.registry!.create();
    const pid = await findDriverPid('driver registry');
    expect(isRunning(pid)).toBe(true);
    await target[Symbol.asyncDispose]();
    expect(isRunning(pid)).toBe(false);
  });
});

/** The newest process of this test process's children whose command line contains `text`. */
async function findDriverPid(text: string): Promise<number> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      if (parent === process.pid && cmdline.includes(text)) found.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  const newest = Math.max(...found);
  if (!Number.isFinite(newest)) throw new Error(`no child process running '${text}'`);
  return newest;
}

// ---------------------------------------------------------------------------------------------
// The conformance path: the REG and CMP areas through the reference drivers, in child runs.

interface ChildRun {
  readonly code: number;
  readonly output: string;
  readonly results: ResultsFile | undefined;
}

function runConformance(name: string, command: string, args: readonly string[]): Promise<ChildRun> {
  const out = join(dir, name);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BERTH_TARGET: 'driver-command',
    BERTH_COMMAND: command,
    BERTH_RESULTS: out,
    // Every clause runs in every profile; quick keeps the property tests short in a unit run.
    BERTH_PROFILE: 'quick',
    CI: 'true',
  };
  for (const key of ['BERTH_TARGET_PROBE', 'BERTH_EXPECT', 'BERTH_AREAS', 'BERTH_CLAUSES']) delete env[key];
  return new Promise((resolve) => {
    execFile(
      join(ROOT, 'node_modules/.bin/vitest'),
      ['run', '--project', 'conformance', ...args],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        void readFile(join(out, 'results.json'), 'utf8')
          .then((text) => JSON.parse(text) as ResultsFile)
          .catch(() => undefined)
          .then((results) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}`, results }),
          );
      },
    );
  });
}

describe('the conformance path through the reference drivers', { timeout: 30_000 }, () => {
  let registry: ChildRun;
  let dispatch: ChildRun;
  let wrong: ChildRun;
  let broken: ChildRun;

  beforeAll(async () => {
    [registry, dispatch, wrong, broken] = await Promise.all([
      runConformance('registry', REGISTRY_DRIVER, ['suite/10-registry']),
      runConformance('dispatch', DISPATCH_DRIVER, ['suite/40-dispatch']),
      runConformance('wrong', script('wrong-registry.mjs'), [
        'suite/10-registry/registry.spec.ts',
        '-t',
        'REG-2\\]',
      ]),
      runConformance('broken', 'node -e "process.exit(3)"', ['suite/10-registry/registry.spec.ts']),
    ]);
  }, 240_000);

  const clausesOf = (run: ChildRun, prefix: string): ClauseResult[] =>
    run.results?.clauses.filter((clause) => clause.id.startsWith(`${prefix}-`)) ?? [];

  it.each([
    ['REG', () => registry],
    ['CMP', () => dispatch],
  ])('passes every %s clause as the embedded reference does; only pending ones do not run', (prefix, run) => {
    const child = run();
    expect(child.results, child.output).toBeDefined();
    expect(child.code, child.output).toBe(0);
    expect(child.results?.outcome).toBe('pass');
    expect(child.results?.target).toMatchObject({ name: 'driver-command', probe: { protocol: 1 } });
    const clauses = clausesOf(child, prefix);
    expect(clauses.length).toBeGreaterThan(10);
    for (const clause of clauses) {
      const pending = catalogue.find((entry) => entry.id === clause.id)?.pending;
      if (pending !== undefined) {
        expect(clause, clause.id).toMatchObject({ outcome: 'disabled', reason: pending, tests: [] });
        continue;
      }
      expect(clause.outcome, `${clause.id}: ${JSON.stringify(clause.tests)}`).toBe('pass');
      expect(clause.tests.length).toBeGreaterThan(0);
      for (const test of clause.tests) expect(test.outcome, test.title).toBe('pass');
    }
  });

  it('turns a wrong answer into a fail, with the driver traffic in the failure', () => {
    const clause = clausesOf(wrong, 'REG').find((entry) => entry.id === 'REG-2');
    expect(clause?.outcome, wrong.output).toBe('fail');
    const failure = clause?.tests[0]?.failure;
    expect(failure?.name).toBe('AssertionError');
    const driverLines = failure?.transcript?.filter((entry) => entry.peer === 'driver') ?? [];
    expect(driverLines.some((entry) => entry.sent.includes('"op":"registry.lookup"'))).toBe(true);
    expect(driverLines.some((entry) => entry.received.includes('wrong-role'))).toBe(true);
  });

  it('stops a run whose driver does not start, saying why, instead of running clauses', () => {
    expect(broken.code).not.toBe(0);
    expect(broken.output).toMatch(/did not complete its hello: the driver exited with code 3/);
  });
});
