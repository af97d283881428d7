import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { runDockerCli, type DockerCliRun } from '../../suite/support/docker-cli.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { startTestDockerd, type TestDockerd } from './test-dockerd.test-helper.js';

useLeakCheck();

interface DockerCli {
  readonly path: string;
  readonly version: string;
}

/**
 * Every distinct docker CLI on PATH (a machine here has Docker's 28.x client and Debian's 20.10
 * one from docker.io): both are clients users have, so the end-to-end tests run with each.
 */
function findDockerClis(): DockerCli[] {
  const which = spawnSync('which', ['-a', 'docker'], { encoding: 'utf8' });
  const clis: DockerCli[] = [];
  for (const path of which.stdout.split('\n').filter((line) => line.trim() !== '')) {
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (version !== '' && !clis.some((cli) => cli.version === version)) clis.push({ path, version });
  }
  return clis;
}

const clis = findDockerClis();
let docker: string | undefined;
let d: TestDockerd | undefined;
let workdir = '';

beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
});
afterAll(async () => {
  if (workdir !== '') await rm(workdir, { recursive: true, force: true });
});

/** Runs the real docker CLI against the simulator (DOCKER_API_VERSION unset: it negotiates). */
function cli(
  context: TestContext,
  args: readonly string[],
  input?: string,
  timeoutMs = 15_000,
): Promise<DockerCliRun> {
  if (!docker || !d) {
    if (process.env.BERTH_REQUIRE_DOCKER === '1')
      throw new Error('BERTH_REQUIRE_DOCKER=1 but no docker CLI is on PATH');
    return context.skip('the docker CLI is not installed (`which -a docker` found nothing)');
  }
  return runDockerCli(args, {
    binary: docker,
    host: `unix://${d.path}`,
    config: workdir,
    timeoutMs,
    ...(input === undefined ? {} : { input }),
  });
}

const IMAGE = 'local/busybox:1';

const cliCases = clis.length > 0 ? clis : [{ path: '', version: 'no docker CLI on PATH' }];

// Each test runs several CLI processes: on a loaded machine they take seconds, not milliseconds.
const CLI_TEST = { timeout: 120_000 };

describe.each(cliCases)(
  'the real docker CLI ($version) against the simulated dockerd',
  CLI_TEST,
  (client) => {
    // A fresh simulator per client: the tests reuse container names.
    beforeAll(async () => {
      docker = client.path === '' ? undefined : client.path;
      if (docker !== undefined) d = await startTestDockerd({ name: 'cli-test' });
    });
    afterAll(async () => {
      await d?.close();
      d = undefined;
    });

    it('version negotiates API 1.41 through HEAD /_ping', async (context) => {
      const run = await cli(context, ['version']);
      expect(run.code).toBe(0);
      // A newer client says it downgraded ("1.41 (downgraded from 1.50)"); a 20.10 client asks for 1.41.
      expect(run.stdout).toMatch(/API version:\s+1\.41( \(downgraded from 1\.\d+\))?\n/);
      expect(run.stdout).toMatch(
        /Server:[\s\S]*Version:\s+20\.10\.24\+dfsg1[\s\S]*API version:\s+1\.41 \(minimum version 1\.24\)/,
      );
    });

    it('images and ps -a list what the daemon has', async (context) => {
      const images = await cli(context, ['images']);
      expect(images.code).toBe(0);
      expect(images.stdout).toMatch(
        /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\nlocal\/busybox\s+1\s+[0-9a-f]{12}\s+.+\s+1\.98MB\n$/,
      );
      const created = await cli(context, ['create', '--name', 'cli-created', IMAGE, 'echo', 'from-create']);
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^[0-9a-f]{64}\n$/);
      const ps = await cli(context, ['ps', '-a', '--format', '{{.Names}}|{{.Status}}|{{.Command}}']);
      expect(ps.code).toBe(0);
      expect(ps.stdout).toContain('cli-created|Created|"echo from-create"\n');
      const started = await cli(context, ['start', '-a', 'cli-created']);
      expect([started.code, started.stdout]).toEqual([0, 'from-create\n']);
    });

    it('run --rm prints the output and passes the exit code through', async (context) => {
      expect(await cli(context, ['run', '--rm', IMAGE, 'echo', 'hi'])).toMatchObject({
        code: 0,
        stdout: 'hi\n',
      });
      const failing = await cli(context, [
        'run',
        '--rm',
        IMAGE,
        'sh',
        '-c',
        'echo out; echo err >&2; exit 3',
      ]);
      expect(failing).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
      expect(await cli(context, ['run', '--rm', '-i', IMAGE, 'cat'], 'hi-stdin\n')).toMatchObject({
        code: 0,
        stdout: 'hi-stdin\n',
      });
      const missing = await cli(context, ['run', '--rm', IMAGE, 'nosuchcmd']);
      expect(missing.code).toBe(127);
      expect(missing.stderr).toContain('exec: "nosuchcmd": executable file not found in $PATH');
    });

    it('run -d, logs, logs -f (ends with the container), exec, exec -i, exec exit codes', async (context) => {
      const run = await cli(context, [
        'run',
        '-d',
        '--name',
        'cli-bg',
        IMAGE,
        'sh',
        '-c',
        'echo started; sleep 300',
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^[0-9a-f]{64}\n$/);
      expect(await cli(context, ['logs', 'cli-bg'])).toMatchObject({ code: 0, stdout: 'started\n' });
      expect(
        await cli(context, ['exec', 'cli-bg', 'sh', '-c', 'echo out; echo err >&2; exit 3']),
      ).toMatchObject({
        code: 3,
        stdout: 'out\n',
        stderr: 'err\n',
      });
      expect(await cli(context, ['exec', '-i', 'cli-bg', 'cat'], 'in\n')).toMatchObject({
        code: 0,
        stdout: 'in\n',
      });
      const ticking = await cli(context, [
        'run',
        '-d',
        '--name',
        'cli-ticks',
        IMAGE,
        'sh',
        '-c',
        'echo one; sleep 0.3; echo two',
      ]);
      expect(ticking.code).toBe(0);
      expect(await cli(context, ['logs', '-f', 'cli-ticks'])).toMatchObject({
        code: 0,
        stdout: 'one\ntwo\n',
      });
    });

    it('attach relays stdin and output, and ends with the exit code', async (context) => {
      /** `docker run -d -i --name NAME IMAGE sh -c SCRIPT`: a container that waits on its stdin. */
      const runWithStdin = (name: string, script: string): string[] => [
        'run',
        '-d',
        '-i',
        '--name',
        name,
        IMAGE,
        'sh',
        '-c',
        script,
      ];
      // Without StdinOnce the end of stdin ends the attach at once (the output may be cut, as with
      // dockerd); the CLI then waits for the container to exit and reports its code.
      expect((await cli(context, runWithStdin('cli-read', 'read x; echo got:$x; exit 2'))).code).toBe(0);
      expect((await cli(context, ['attach', 'cli-read'], 'abc\n')).code).toBe(2);
      expect(await cli(context, ['logs', 'cli-read'])).toMatchObject({ code: 0, stdout: 'got:abc\n' });
      // The output comes only once the attach is there: the container waits for a line on stdin,
      // sent by a second attach after the first one is seen on the container.
      expect((await cli(context, runWithStdin('cli-exit', 'read x; echo late; exit 4'))).code).toBe(0);
      const attached = cli(context, ['attach', '--no-stdin', 'cli-exit']);
      await expect
        .poll(() => d?.sim.engine.getContainer('cli-exit').hub.sinks.size, { timeout: 30_000 })
        .toBe(1);
      await cli(context, ['attach', 'cli-exit'], 'go\n');
      expect(await attached).toMatchObject({ code: 4, stdout: 'late\n' });
    });

    it('rename, stop, kill and rm -f', async (context) => {
      expect((await cli(context, ['run', '-d', '--name', 'cli-life', IMAGE, 'sleep', '300'])).code).toBe(0);
      expect(await cli(context, ['rename', 'cli-life', 'cli-renamed'])).toMatchObject({
        code: 0,
        stdout: '',
      });
      expect(await cli(context, ['stop', '-t', '0', 'cli-renamed'])).toMatchObject({
        code: 0,
        stdout: 'cli-renamed\n',
      });
      expect(
        await cli(context, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'cli-renamed']),
      ).toMatchObject({
        code: 0,
        stdout: 'exited 137\n',
      });
      expect((await cli(context, ['start', 'cli-renamed'])).code).toBe(0);
      expect(await cli(context, ['kill', 'cli-renamed'])).toMatchObject({ code: 0, stdout: 'cli-renamed\n' });
      const notRunning = await cli(context, ['kill', 'cli-renamed']);
      expect(notRunning.code).toBe(1);
      expect(notRunning.stderr).toContain('is not running');
      expect(await cli(context, ['rm', '-f', 'cli-renamed', 'cli-bg'])).toMatchObject({
        code: 0,
        stdout: 'cli-renamed\ncli-bg\n',
      });
      const gone = await cli(context, ['inspect', 'cli-renamed']);
      expect(gone.code).toBe(1);
    });

    it('cp both ways and commit carry a file into a new image', async (context) => {
      expect((await cli(context, ['run', '-d', '--name', 'cli-cp', IMAGE, 'sleep', '300'])).code).toBe(0);
      const source = join(workdir, 'f.txt');
      await writeFile(source, 'copied in\n');
      expect(await cli(context, ['cp', source, 'cli-cp:/f.txt'])).toMatchObject({ code: 0 });
      expect(await cli(context, ['exec', 'cli-cp', 'cat', '/f.txt'])).toMatchObject({
        code: 0,
        stdout: 'copied in\n',
      });
      const back = join(workdir, 'back.txt');
      expect(await cli(context, ['cp', 'cli-cp:/f.txt', back])).toMatchObject({ code: 0 });
      expect(await readFile(back, 'utf8')).toBe('copied in\n');
      const commit = await cli(context, ['commit', '-c', 'ENV A=1', 'cli-cp', 'local/cli-commit:1']);
      expect(commit.code).toBe(0);
      expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
      expect(
        await cli(context, ['run', '--rm', 'local/cli-commit:1', 'sh', '-c', 'cat /f.txt; echo A=$A']),
      ).toMatchObject({
        code: 0,
        stdout: 'copied in\nA=1\n',
      });
      expect((await cli(context, ['rm', '-f', 'cli-cp'])).code).toBe(0);
      expect(await cli(context, ['rmi', 'local/cli-commit:1'])).toMatchObject({ code: 0 });
    });
  },
);
