import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { useLeakCheck } from '../suite/support/leak-check.js';
import {
  type BerthProcess,
  startBerth as startBerthProcess,
  stopBerths,
  waitForLine,
} from './berth-process.test-helper.js';
import { runDockerCli, type DockerCliRun } from '../suite/support/docker-cli.js';
import { requireRealDaemon } from '../suite/support/real-daemon-tier.js';

useLeakCheck();

const IMAGE = 'local/busybox:1';

const started: BerthProcess[] = [];

function startBerth(args: string[]): BerthProcess {
  const running = startBerthProcess(args);
  started.push(running);
  return running;
}

async function stopAll(): Promise<void> {
  await stopBerths(started);
}

/** The real docker CLI against `host` (it negotiates the API version through HEAD /_ping). */
function docker(
  host: string,
  config: string,
  args: readonly string[],
  input?: string,
  timeoutMs = 20_000,
): Promise<DockerCliRun> {
  return runDockerCli(args, { host, config, timeoutMs, ...(input === undefined ? {} : { input }) });
}

function hasDockerCli(): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'docker')));
}

function skipWithoutCli(context: TestContext): void {
  if (!hasDockerCli()) context.skip('the docker CLI is not on PATH');
}

/** GET on a guest's own socket (to check where a container landed). */
function guestGet(socketPath: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('berth serve in front of two berth sim dockerd guests (the real docker CLI)', () => {
  let dir = '';
  let host = '';
  let nativeSock = '';
  let amdSock = '';
  const run = (args: readonly string[], input?: string): Promise<DockerCliRun> =>
    docker(host, dir, args, input);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-serve-'));
    nativeSock = join(dir, 'native.sock');
    amdSock = join(dir, 'amd64.sock');
    const guests = [
      startBerth([
        'sim',
        'dockerd',
        '--listen',
        `unix://${nativeSock}`,
        '--name',
        'native',
        '--arch',
        'arm64',
      ]),
      startBerth(['sim', 'dockerd', '--listen', `unix://${amdSock}`, '--name', 'amd', '--arch', 'amd64']),
    ];
    await Promise.all(guests.map((guest) => waitForLine(guest, /listening on/)));
    const proxy = join(dir, 'proxy.sock');
    const serve = startBerth([
      'serve',
      '--listen',
      `unix://${proxy}`,
      '--guest',
      `native=unix://${nativeSock}`,
      '--guest',
      `amd64=unix://${amdSock}`,
    ]);
    await waitForLine(serve, /berth serve listening on/);
    expect(serve.output).toMatch(/role 'native'.*Arch arm64, serving linux\/arm64/);
    expect(serve.output).toMatch(/role 'amd64'.*Arch amd64, serving linux\/amd64/);
    expect((await stat(proxy)).mode & 0o777).toBe(0o600);
    host = `unix://${proxy}`;
  }, 30_000);

  afterAll(async () => {
    await stopAll();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('run --rm prints the output and passes exit codes on', async (context) => {
    skipWithoutCli(context);
    const hi = await run(['run', '--rm', IMAGE, 'echo', 'hi']);
    expect(hi).toMatchObject({ code: 0, stdout: 'hi\n' });
    expect((await run(['run', '--rm', IMAGE, 'sh', '-c', 'exit 3'])).code).toBe(3);
    const stdin = await run(['run', '--rm', '-i', IMAGE, 'cat'], 'from stdin\n');
    expect(stdin).toMatchObject({ code: 0, stdout: 'from stdin\n' });
  }, 60_000);

  it('run -d, logs, logs -f, exec, exec -i, rename, cp both ways, commit, attach, rm -f', async (context) => {
    skipWithoutCli(context);
    expect((await run(['run', '-d', '--name', 'svc', IMAGE, 'sh', '-c', 'echo ready; sleep 60'])).code).toBe(
      0,
    );
    expect(await run(['logs', 'svc'])).toMatchObject({ code: 0, stdout: 'ready\n' });
    expect(await run(['exec', 'svc', 'echo', 'inside'])).toMatchObject({ code: 0, stdout: 'inside\n' });
    expect((await run(['exec', 'svc', 'sh', '-c', 'exit 5'])).code).toBe(5);
    expect(await run(['exec', '-i', 'svc', 'cat'], 'piped\n')).toMatchObject({ code: 0, stdout: 'piped\n' });
    expect((await run(['rename', 'svc', 'svc2'])).code).toBe(0);
    expect(await run(['logs', 'svc2'])).toMatchObject({ code: 0, stdout: 'ready\n' });
    await writeFile(join(dir, 'in.txt'), 'copied in\n');
    expect((await run(['cp', join(dir, 'in.txt'), 'svc2:/in.txt'])).code).toBe(0);
    expect((await run(['cp', 'svc2:/in.txt', join(dir, 'out.txt')])).code).toBe(0);
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('copied in\n');
    const commit = await run(['commit', 'svc2', 'local/serve-commit:1']);
    expect(commit.code).toBe(0);
    expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await run(['rm', '-f', 'svc2'])).code).toBe(0);

    expect(
      (await run(['run', '-d', '--name', 'follow', IMAGE, 'sh', '-c', 'echo a; sleep 1; echo b'])).code,
    ).toBe(0);
    expect(await run(['logs', '-f', 'follow'])).toMatchObject({ code: 0, stdout: 'a\nb\n' });
    // `start -a` attaches before it starts the container, so the output cannot come before the
    // attach however slow the machine is (a `run -d` then `attach` raced a 1 s sleep).
    expect((await run(['create', '--name', 'late', IMAGE, 'sh', '-c', 'echo late; exit 6'])).code).toBe(0);
    expect(await run(['start', '-a', 'late'])).toMatchObject({ code: 6, stdout: 'late\n' });
    expect((await run(['rm', '-f', 'follow', 'late'])).code).toBe(0);
  }, 60_000);

  it('--platform linux/amd64 lands on the amd64 guest, and every follow-up too', async (context) => {
    skipWithoutCli(context);
    const created = await run([
      'run',
      '-d',
      '--platform',
      'linux/amd64',
      '--name',
      'x86',
      IMAGE,
      'sh',
      '-c',
      'echo on-amd64; sleep 60',
    ]);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    const short = id.slice(0, 12);
    expect(await guestGet(amdSock, `/containers/${id}/json`)).toBe(200);
    expect(await guestGet(nativeSock, `/containers/${id}/json`)).toBe(404);
    expect(await run(['logs', short])).toMatchObject({ code: 0, stdout: 'on-amd64\n' });
    expect(await run(['exec', 'x86', 'echo', 'exec-amd64'])).toMatchObject({
      code: 0,
      stdout: 'exec-amd64\n',
    });
    expect(await run(['exec', short, 'echo', 'by-short'])).toMatchObject({ code: 0, stdout: 'by-short\n' });
    expect((await run(['stop', '-t', '0', 'x86'])).code).toBe(0);
    expect((await run(['rm', short])).code).toBe(0);
    expect(await guestGet(amdSock, `/containers/${id}/json`)).toBe(404);
    const refused = await run(['run', '--rm', '--platform', 'linux/arm/v7', IMAGE, 'true']);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/linux\/arm\/v7.*not supported/);
  }, 60_000);
});

describe('berth serve in front of the real dockerd', () => {
  let dir = '';
  let host = '';
  let daemon = '';

  afterAll(async () => {
    if (daemon !== '' && host !== '') {
      const listed = await docker(daemon, dir, ['ps', '-aq', '--filter', 'label=berth.test=proxy']);
      const ids = listed.stdout.split('\n').filter((line) => line !== '');
      if (ids.length > 0) await docker(daemon, dir, ['rm', '-f', ...ids]);
      await docker(daemon, dir, ['rmi', '-f', 'local/berth-proxy-commit:1']);
    }
    await stopAll();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  // The proxy starts before the tests (the leak check counts per test); a missing daemon skips them.
  beforeAll(async () => {
    let available = true;
    daemon = requireRealDaemon({
      skip: () => {
        available = false;
        return undefined as never;
      },
    });
    if (!available || !hasDockerCli()) return;
    dir = await mkdtemp(join(tmpdir(), 'berth-serve-real-'));
    const proxy = join(dir, 'proxy.sock');
    const serve = startBerth(['serve', '--listen', `unix://${proxy}`, '--guest', `native=${daemon}`]);
    await waitForLine(serve, /berth serve listening on/);
    host = `unix://${proxy}`;
  }, 30_000);

  async function setUp(context: TestContext): Promise<void> {
    requireRealDaemon(context);
    skipWithoutCli(context);
    await Promise.resolve();
  }

  it('runs the docker CLI workflow through the proxy unchanged', async (context) => {
    await setUp(context);
    const run = (args: readonly string[], input?: string): Promise<DockerCliRun> =>
      docker(host, dir, args, input);
    const label = ['--label', 'berth.test=proxy', '--network', 'none'];
    expect(await run(['run', '--rm', ...label, IMAGE, 'echo', 'hi'])).toMatchObject({
      code: 0,
      stdout: 'hi\n',
    });
    expect((await run(['run', '--rm', ...label, IMAGE, 'sh', '-c', 'exit 3'])).code).toBe(3);
    expect(
      (
        await run([
          'run',
          '-d',
          '--name',
          'berth-proxy-real',
          ...label,
          IMAGE,
          'sh',
          '-c',
          'echo ready; sleep 60',
        ])
      ).code,
    ).toBe(0);
    const short = (await run(['inspect', '-f', '{{.Id}}', 'berth-proxy-real'])).stdout.trim().slice(0, 12);
    expect(await run(['logs', short])).toMatchObject({ code: 0, stdout: 'ready\n' });
    expect(await run(['exec', 'berth-proxy-real', 'echo', 'inside'])).toMatchObject({
      code: 0,
      stdout: 'inside\n',
    });
    expect((await run(['exec', 'berth-proxy-real', 'sh', '-c', 'exit 4'])).code).toBe(4);
    expect(await run(['exec', '-i', 'berth-proxy-real', 'cat'], 'piped\n')).toMatchObject({
      code: 0,
      stdout: 'piped\n',
    });
    await writeFile(join(dir, 'in.txt'), 'copied in\n');
    expect((await run(['cp', join(dir, 'in.txt'), 'berth-proxy-real:/in.txt'])).code).toBe(0);
    expect((await run(['cp', 'berth-proxy-real:/in.txt', join(dir, 'out.txt')])).code).toBe(0);
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('copied in\n');
    expect((await run(['rename', 'berth-proxy-real', 'berth-proxy-real2'])).code).toBe(0);
    expect((await run(['commit', 'berth-proxy-real2', 'local/berth-proxy-commit:1'])).code).toBe(0);
    expect((await run(['rm', '-f', short])).code).toBe(0);
  }, 90_000);
});

describe('berth serve socket', () => {
  afterAll(stopAll);
  it('creates its unix socket with mode 0600 even under umask 000', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-serve-mode-'));
    try {
      const proxy = join(dir, 'proxy.sock');
      // The child inherits the umask: 000 would leave a socket bound by listen() at 0777.
      const previous = process.umask(0);
      let serve: BerthProcess;
      try {
        serve = startBerth([
          'serve',
          '--listen',
          `unix://${proxy}`,
          '--guest',
          `native=unix://${join(dir, 'absent.sock')}`,
          '--platform',
          'native=linux/arm64',
        ]);
      } finally {
        process.umask(previous);
      }
      await waitForLine(serve, /berth serve listening on/);
      const info = await stat(proxy);
      expect(info.isSocket()).toBe(true);
      expect(info.mode & 0o777).toBe(0o600);
      await stopAll();
      expect(existsSync(proxy), 'removed on SIGTERM').toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('berth serve flags', () => {
  afterAll(stopAll);
  it.each([
    [['serve', '--guest', 'native=unix:///tmp/g.sock'], /--listen/],
    [['serve', '--listen', 'unix:///tmp/p.sock'], /--guest/],
    [['serve', '--listen', 'tcp://10.1.2.3:2375', '--guest', 'native=unix:///tmp/g.sock'], /only loopback/],
    [['serve', '--listen', 'unix:///tmp/p.sock', '--guest', 'native=relative.sock'], /absolute/],
    [
      ['serve', '--listen', 'unix:///tmp/p.sock', '--guest', 'native=unix:///a', '--default-role', 'amd64'],
      /no --guest/,
    ],
    [
      [
        'serve',
        '--listen',
        'unix:///tmp/p.sock',
        '--guest',
        'native=unix:///a',
        '--platform',
        'amd64=linux/amd64',
      ],
      /no --guest/,
    ],
    [
      [
        'serve',
        '--listen',
        'unix:///tmp/p.sock',
        '--guest',
        'native=unix:///a',
        '--platform',
        'native=linux/',
      ],
      /not a platform/,
    ],
    [
      [
        'serve',
        '--listen',
        'unix:///tmp/p.sock',
        '--guest',
        'native=unix:///a',
        '--handshake-timeout-ms',
        '0',
      ],
      /positive integer/,
    ],
  ])(
    'refuses %j with one line and exit code 2',
    async (args, message) => {
      const running = startBerth(args);
      expect(await running.exited).toBe(2);
      expect(running.errors.trim().split('\n')).toHaveLength(1);
      expect(running.errors).toMatch(message);
    },
    30_000,
  );
});
