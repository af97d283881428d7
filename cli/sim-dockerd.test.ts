import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../suite/support/leak-check.js';
import { requestJson } from '../suite/support/http/request-json.js';
import { type BerthProcess, startBerth, stopBerths, waitForLine } from './berth-process.test-helper.js';

// Each test starts `berth` child processes: seconds apiece on a loaded machine.
describe('berth sim dockerd', { timeout: 30_000 }, () => {
  useLeakCheck();
  let dir = '';
  const started: BerthProcess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
  });

  afterEach(async () => {
    await stopBerths(started, 0);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a simulated dockerd on a unix socket until SIGTERM, then removes the socket', async () => {
    const socket = join(dir, 'alpha.sock');
    const running = startBerth([
      'sim',
      'dockerd',
      '--listen',
      `unix://${socket}`,
      '--name',
      'alpha',
      '--arch',
      'arm64',
    ]);
    started.push(running);
    await waitForLine(running, /listening on unix:/);
    const version = await requestJson(socket, 'GET', '/v1.41/version');
    expect(version.status).toBe(200);
    expect(version.json).toMatchObject({ ApiVersion: '1.41', MinAPIVersion: '1.24', Arch: 'arm64' });
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(existsSync(socket), 'socket file left behind').toBe(false);
  });

  it('runs two at once with distinct names and IDs, honouring the API range', async () => {
    const sockets = [join(dir, 'a.sock'), join(dir, 'b.sock')];
    const runs = sockets.map((socket, index) =>
      startBerth([
        'sim',
        'dockerd',
        '--listen',
        `unix://${socket}`,
        '--name',
        `sim-${index}`,
        '--api-version',
        '1.40',
      ]),
    );
    started.push(...runs);
    await Promise.all(runs.map((running) => waitForLine(running, /listening/)));
    const infos = await Promise.all(sockets.map((socket) => requestJson(socket, 'GET', '/info')));
    expect(infos.map((info) => (info.json as { Name: string }).Name)).toEqual(['sim-0', 'sim-1']);
    const created = await Promise.all(
      sockets.map((socket) =>
        requestJson(socket, 'POST', '/v1.40/containers/create', { Image: 'local/busybox:1', Cmd: ['true'] }),
      ),
    );
    expect(created.map((answer) => answer.status)).toEqual([201, 201]);
    const [first, second] = created.map((answer) => (answer.json as { Id: string }).Id);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(first).not.toBe(second);
    expect((await requestJson(sockets[0]!, 'GET', '/v1.41/version')).status).toBe(400);
  });

  it.each([
    [['sim', 'dockerd', '--listen', 'tcp://10.1.2.3:2375'], /only loopback/],
    [['sim', 'dockerd', '--listen', 'relative.sock'], /expected unix:/],
    [['sim', 'dockerd', '--listen', 'unix:///tmp/x.sock', '--arch', 'sparc'], /sparc/],
    [['sim', 'dockerd', '--listen', 'unix:///tmp/x.sock', '--api-version', 'latest'], /API version/],
    [
      ['sim', 'dockerd', '--listen', 'unix:///tmp/x.sock', '--min-api-version', '1.44'],
      /above --api-version/,
    ],
    [['sim', 'dockerd'], /--listen/],
    [['sim', 'dockerd', '--listen', 'unix:///tmp/x.sock', '--bogus'], /unknown option/],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const running = startBerth(args);
    started.push(running);
    expect(await running.exited).toBe(2);
    expect(running.errors.trim().split('\n')).toHaveLength(1);
    expect(running.errors).toMatch(message);
  });
});
