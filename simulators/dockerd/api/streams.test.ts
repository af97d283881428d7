import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demultiplex } from '../../../protocol/demultiplex.js';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import type { RawConnection } from '../raw-connection.test-helper.js';
import { startTestDockerd, type TestDockerd } from '../test-dockerd.test-helper.js';
import { eventually } from '../../../suite/support/poll.js';

useLeakCheck();

let d: TestDockerd;
beforeAll(async () => {
  d = await startTestDockerd({ name: 'streams-test' });
});
afterAll(async () => {
  await d.close();
});

const IMAGE = 'local/busybox:1';
const v = (path: string): string => `/v1.41${path}`;
const UPGRADE: readonly (readonly [string, string])[] = [
  ['Content-Type', 'text/plain'],
  ['Connection', 'Upgrade'],
  ['Upgrade', 'tcp'],
];
const stdout = (bytes: Buffer): string => demultiplex(bytes).stdout.toString();
const stderr = (bytes: Buffer): string => demultiplex(bytes).stderr.toString();

async function startAndWait(id: string): Promise<void> {
  expect((await d.request('POST', v(`/containers/${id}/start`))).status).toBe(204);
  await d.request('POST', v(`/containers/${id}/wait`));
}

describe('DKR-18 logs', () => {
  it('streams stdcopy frames, chunked, with no Content-Type; one frame per line', async () => {
    const id = await d.create({ Image: IMAGE, Cmd: ['sh', '-c', 'echo out; echo err >&2; echo -n tail'] });
    await startAndWait(id);
    const response = await d.request('GET', v(`/containers/${id}/logs?stdout=1&stderr=1`));
    expect([response.status, response.framing, response.header('content-type')]).toEqual([
      200,
      'chunked',
      undefined,
    ]);
    expect(response.body.toString('latin1')).toBe(
      '\x01\0\0\0\0\0\0\x04out\n\x02\0\0\0\0\0\0\x04err\n\x01\0\0\0\0\0\0\x04tail',
    );
    expect(stdout((await d.request('GET', v(`/containers/${id}/logs?stdout=1`))).body)).toBe('out\ntail');
    expect(stderr((await d.request('GET', v(`/containers/${id}/logs?stderr=1`))).body)).toBe('err\n');
  });

  it('tail counts lines of both streams; timestamps prefix RFC3339Nano with nine digits; since/until filter', async () => {
    const id = await d.create({ Image: IMAGE, Cmd: ['sh', '-c', 'echo one; echo two; echo three >&2'] });
    await startAndWait(id);
    expect(stdout((await d.request('GET', v(`/containers/${id}/logs?stdout=1&stderr=1&tail=2`))).body)).toBe(
      'two\n',
    );
    expect(stdout((await d.request('GET', v(`/containers/${id}/logs?stdout=1&tail=1`))).body)).toBe('');
    expect(stdout((await d.request('GET', v(`/containers/${id}/logs?stdout=1&tail=abc`))).body)).toBe(
      'one\ntwo\n',
    );
    const stamped = stdout((await d.request('GET', v(`/containers/${id}/logs?stdout=1&timestamps=1`))).body);
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one\n\S+ two\n$/);
    expect(
      (
        await d.request(
          'GET',
          v(`/containers/${id}/logs?stdout=1&since=${Math.floor(Date.now() / 1000) + 5}`),
        )
      ).body,
    ).toHaveLength(0);
    expect((await d.request('GET', v(`/containers/${id}/logs?stdout=1&until=1`))).body).toHaveLength(0);
    const bad = await d.request('GET', v(`/containers/${id}/logs?stdout=1&since=abc`));
    expect([bad.status, bad.json()]).toEqual([
      500,
      { message: 'strconv.ParseInt: parsing "abc": invalid syntax' },
    ]);
  });

  it('validates before streaming: no stream 400, unknown container 404', async () => {
    expect((await d.request('GET', v('/containers/nope/logs'))).json()).toEqual({
      message: 'Bad parameters: you must choose at least one stream',
    });
    expect((await d.request('GET', v('/containers/nope/logs?stdout=1'))).json()).toEqual({
      message: 'No such container: nope',
    });
  });

  it('a TTY container logs raw bytes with CRLF line ends', async () => {
    const id = await d.create({ Image: IMAGE, Tty: true, Cmd: ['sh', '-c', 'echo a; echo b >&2'] });
    await startAndWait(id);
    expect((await d.request('GET', v(`/containers/${id}/logs?stdout=1&stderr=1`))).text).toBe('a\r\nb\r\n');
  });

  it('follow streams new lines and ends when the container exits', async () => {
    const id = await d.create({ Image: IMAGE, Cmd: ['sh', '-c', 'echo first; sleep 0.2; echo second'] });
    expect((await d.request('POST', v(`/containers/${id}/start`))).status).toBe(204);
    const started = Date.now();
    const response = await d.request('GET', v(`/containers/${id}/logs?stdout=1&follow=1`));
    expect(stdout(response.body)).toBe('first\nsecond\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    // Follow on a stopped container returns what there is at once.
    expect(stdout((await d.request('GET', v(`/containers/${id}/logs?stdout=1&follow=1`))).body)).toBe(
      'first\nsecond\n',
    );
  });
});

async function attach(id: string, query: string, upgrade: boolean): Promise<RawConnection> {
  const connection = await d.connect();
  await connection.request('POST', v(`/containers/${id}/attach?${query}`), {
    headers: upgrade ? UPGRADE : [['Content-Type', 'text/plain']],
  });
  return connection;
}

describe('DKR-19 attach', () => {
  it('upgrades: "101 UPGRADED" raw-stream head, then frames; a client FIN does not stop output', async () => {
    const id = await d.create({
      Image: IMAGE,
      Cmd: ['sh', '-c', 'sleep 0.05; echo out; echo err >&2; exit 5'],
    });
    const connection = await attach(id, 'stream=1&stdout=1&stderr=1', true);
    try {
      const head = await connection.readRawHead();
      expect(head).toBe(
        'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
      );
      // The CLI half-closes right after the 101 when it has no stdin.
      connection.end();
      const waiter = d.request('POST', v(`/containers/${id}/wait?condition=next-exit`));
      await eventually(() => d.sim.engine.getContainer(id).waiters.size === 1, { description: 'the wait' });
      expect((await d.request('POST', v(`/containers/${id}/start`))).status).toBe(204);
      const stream = await connection.readToEnd();
      expect([stdout(stream), stderr(stream)]).toEqual(['out\n', 'err\n']);
      expect((await waiter).json()).toEqual({ Error: null, StatusCode: 5 });
    } finally {
      await connection.close();
    }
  });

  it('without Upgrade answers "200 OK" raw-stream and is still multiplexed', async () => {
    const id = await d.create({ Image: IMAGE, Cmd: ['sh', '-c', 'sleep 0.05; echo legacy'] });
    const connection = await attach(id, 'stream=1&stdout=1&stderr=1', false);
    try {
      const head = await connection.readRawHead();
      expect(head).toBe('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n');
      await d.request('POST', v(`/containers/${id}/start`));
      expect(stdout(await connection.readToEnd())).toBe('legacy\n');
    } finally {
      await connection.close();
    }
  });

  it('delivers stdin; with StdinOnce the FIN closes the container stdin and output goes on', async () => {
    const id = await d.create({
      Image: IMAGE,
      Cmd: ['sh', '-c', 'cat; echo after-eof'],
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
    });
    const connection = await attach(id, 'stream=1&stdin=1&stdout=1&stderr=1', true);
    try {
      await connection.readHead();
      await connection.write('hello\n');
      await d.request('POST', v(`/containers/${id}/start`));
      await connection.readUntil((data) => stdout(data) === 'hello\n');
      connection.end();
      const rest = await connection.readToEnd();
      expect(stdout(rest)).toBe('after-eof\n');
      expect((await d.request('POST', v(`/containers/${id}/wait`))).json()).toEqual({
        Error: null,
        StatusCode: 0,
      });
    } finally {
      await connection.close();
    }
  });

  it('without StdinOnce the FIN ends the attach while the container runs on', async () => {
    const id = await d.create({
      Image: IMAGE,
      Cmd: ['sh', '-c', 'read x; echo got:$x; sleep 300'],
      OpenStdin: true,
    });
    await d.request('POST', v(`/containers/${id}/start`));
    const connection = await attach(id, 'stream=1&stdin=1&stdout=1&stderr=1', true);
    try {
      await connection.readHead();
      await connection.write('abc\n');
      connection.end();
      expect(stdout(await connection.readToEnd())).toBe('got:abc\n');
      expect(d.sim.engine.getContainer(id).state.running).toBe(true);
    } finally {
      await connection.close();
      await d.request('DELETE', v(`/containers/${id}?force=1`));
    }
  });

  it('logs=1 replays the log first; an unknown container is a raw 404 after the hijack', async () => {
    const id = await d.create({ Image: IMAGE, Cmd: ['echo', 'logged'] });
    await startAndWait(id);
    const connection = await attach(id, 'logs=1&stdout=1', true);
    try {
      await connection.readHead();
      expect(stdout(await connection.readToEnd())).toBe('logged\n');
    } finally {
      await connection.close();
    }
    const missing = await attach('nope', 'stream=1&stdout=1', true);
    try {
      expect((await missing.readToEnd()).toString()).toBe(
        'HTTP/1.1 404 Not Found\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nNo such container: nope\r\n',
      );
    } finally {
      await missing.close();
    }
  });

  it('the docker run sequence: attach on c2, wait removed on c1, start on c3; the exit code arrives', async () => {
    const id = await d.create({
      Image: IMAGE,
      Cmd: ['sh', '-c', 'echo run-output; exit 7'],
      HostConfig: { AutoRemove: true },
    });
    const c2 = await attach(id, 'stderr=1&stdout=1&stream=1', true);
    const c1 = await d.connect();
    try {
      await c2.readHead();
      c2.end();
      await c1.request('POST', v(`/containers/${id}/wait?condition=removed`));
      expect((await c1.readHead()).status).toBe(200);
      expect((await d.request('POST', v(`/containers/${id}/start`))).status).toBe(204);
      expect(stdout(await c2.readToEnd())).toBe('run-output\n');
      expect((await c1.readUntil((data) => data.includes('0\r\n\r\n'))).toString()).toContain(
        '{"Error":null,"StatusCode":7}',
      );
      expect((await d.request('GET', v(`/containers/${id}/json`))).status).toBe(404);
    } finally {
      await c1.close();
      await c2.close();
    }
  });
});

describe('DKR-20..22 exec', () => {
  let box: string;
  beforeAll(async () => {
    box = await d.create({ Image: IMAGE, Cmd: ['sleep', '300'] }, 'exec-box');
    await d.request('POST', v(`/containers/${box}/start`));
  });
  afterAll(async () => {
    await d.request('DELETE', v(`/containers/${box}?force=1`));
  });

  it('create: 201 Id; no command 400; not running 409; unknown container 404', async () => {
    const created = await d.request('POST', v(`/containers/${box}/exec`), { json: { Cmd: ['true'] } });
    expect(created.status).toBe(201);
    expect(created.json<{ Id: string }>().Id).toMatch(/^[0-9a-f]{64}$/);
    expect((await d.request('POST', v(`/containers/${box}/exec`), { json: {} })).json()).toEqual({
      message: 'No exec command specified',
    });
    expect((await d.request('POST', v(`/containers/${box}/exec`))).json()).toEqual({
      message: 'got EOF while reading request body',
    });
    expect((await d.request('POST', v('/containers/nope/exec'), { json: { Cmd: ['true'] } })).status).toBe(
      404,
    );
    const stopped = await d.create({ Image: IMAGE, Cmd: ['true'] });
    expect(
      (await d.request('POST', v(`/containers/${stopped}/exec`), { json: { Cmd: ['true'] } })).json(),
    ).toEqual({
      message: `Container ${stopped} is not running`,
    });
  });

  it('start with Upgrade: 101 with the API headers, frames, FIN at exit; inspect shows ExitCode', async () => {
    const exec = await d.exec(box, {
      Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
      AttachStdout: true,
      AttachStderr: true,
    });
    const before = (await d.request('GET', v(`/exec/${exec}/json`))).json<Record<string, unknown>>();
    expect(Object.keys(before)).toEqual([
      'ID',
      'Running',
      'ExitCode',
      'ProcessConfig',
      'OpenStdin',
      'OpenStderr',
      'OpenStdout',
      'CanRemove',
      'ContainerID',
      'DetachKeys',
      'Pid',
    ]);
    expect(before).toMatchObject({ Running: false, ExitCode: null, Pid: 0, ContainerID: box });
    expect(before.ProcessConfig).toEqual({
      tty: false,
      entrypoint: 'sh',
      arguments: ['-c', 'echo out; echo err >&2; exit 3'],
      privileged: false,
    });
    const connection = await d.connect();
    try {
      await connection.request('POST', v(`/exec/${exec}/start`), {
        headers: [
          ['Content-Type', 'application/json'],
          ['Connection', 'Upgrade'],
          ['Upgrade', 'tcp'],
        ],
        body: '{"Detach":false,"Tty":false}',
      });
      const head = await connection.readRawHead();
      expect(head).toBe(
        'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n' +
          'Api-Version: 1.41\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\n\r\n',
      );
      connection.end();
      const stream = await connection.readToEnd();
      expect([stdout(stream), stderr(stream)]).toEqual(['out\n', 'err\n']);
    } finally {
      await connection.close();
    }
    const after = (await d.request('GET', v(`/exec/${exec}/json`))).json<Record<string, unknown>>();
    expect(after).toMatchObject({ Running: false, ExitCode: 3 });
    expect(after.Pid).toBeGreaterThan(0);
    const again = await d.request('POST', v(`/exec/${exec}/start`), { json: { Detach: true } });
    expect([again.status, again.json()]).toEqual([
      409,
      { message: `Error: Exec command ${exec} has already run` },
    ]);
  });

  it('start without Upgrade is a 200 raw stream; stdin reaches the process; Tty output is raw', async () => {
    const cat = await d.exec(box, {
      Cmd: ['cat'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const connection = await d.connect();
    try {
      await connection.request('POST', v(`/exec/${cat}/start`), { json: { Detach: false, Tty: false } });
      const head = await connection.readRawHead();
      expect(head).toMatch(
        /^HTTP\/1\.1 200 OK\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\nApi-Version: 1\.41\r\n/,
      );
      await connection.write('ping\n');
      connection.end();
      expect(stdout(await connection.readToEnd())).toBe('ping\n');
    } finally {
      await connection.close();
    }
    const tty = await d.exec(box, {
      Cmd: ['sh', '-c', 'echo a; echo b >&2'],
      Tty: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const raw = await d.connect();
    try {
      await raw.request('POST', v(`/exec/${tty}/start`), {
        json: { Detach: false, Tty: true },
        headers: UPGRADE.slice(1),
      });
      await raw.readHead();
      expect((await raw.readToEnd()).toString()).toBe('a\r\nb\r\n');
    } finally {
      await raw.close();
    }
  });

  it('a TTY exec echoes input like a terminal (CR as newline) and ^D ends the shell', async () => {
    const shell = await d.exec(box, {
      Cmd: ['sh'],
      Tty: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const connection = await d.connect();
    try {
      await connection.request('POST', v(`/exec/${shell}/start`), {
        json: { Detach: false, Tty: true },
        headers: UPGRADE.slice(1),
      });
      await connection.readHead();
      const prompt = await connection.readUntil((data) => data.toString().endsWith('/ # '));
      await connection.write('echo hi\r');
      const echoed = await connection.readUntil((data) => data.toString().endsWith('/ # '));
      await connection.write('\x04');
      const rest = await connection.readToEnd();
      expect(Buffer.concat([prompt, echoed, rest]).toString()).toBe('/ # echo hi\r\nhi\r\n/ # ');
    } finally {
      await connection.close();
    }
    expect((await d.request('GET', v(`/exec/${shell}/json`))).json()).toMatchObject({
      ExitCode: 0,
      Running: false,
    });
  });

  it("an unknown command: exit 126 and runc's text inside the stream, or 400 when detached", async () => {
    const message =
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown';
    const inStream = await d.exec(box, { Cmd: ['nosuchcmd'], AttachStdout: true });
    const connection = await d.connect();
    try {
      await connection.request('POST', v(`/exec/${inStream}/start`), {
        json: { Detach: false, Tty: false },
        headers: UPGRADE.slice(1),
      });
      await connection.readHead();
      expect(stdout(await connection.readToEnd())).toBe(`${message}\r\n`);
    } finally {
      await connection.close();
    }
    expect((await d.request('GET', v(`/exec/${inStream}/json`))).json()).toMatchObject({
      ExitCode: 126,
      Pid: 0,
    });
    const detached = await d.exec(box, { Cmd: ['nosuchcmd'] });
    const response = await d.request('POST', v(`/exec/${detached}/start`), { json: { Detach: true } });
    expect([response.status, response.json()]).toEqual([400, { message }]);
  });

  it('an exec in a missing working directory fails as runc does (400, ExitCode 126)', async () => {
    const exec = await d.exec(box, { Cmd: ['pwd'], WorkingDir: '/nope' });
    const response = await d.request('POST', v(`/exec/${exec}/start`), { json: { Detach: true } });
    expect([response.status, response.json()]).toEqual([
      400,
      {
        message:
          'OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("/nope") set in config.json failed: no such file or directory: unknown',
      },
    ]);
    expect((await d.request('GET', v(`/exec/${exec}/json`))).json()).toMatchObject({ ExitCode: 126, Pid: 0 });
  });

  it('detached start answers 200 at once; resize; exact IDs only; stopped containers forget their execs', async () => {
    const exec = await d.exec(box, { Cmd: ['sleep', '300'], Tty: true });
    const started = await d.request('POST', v(`/exec/${exec}/start`), { json: { Detach: true, Tty: true } });
    expect([started.status, started.header('content-length'), started.body.length]).toEqual([200, '0', 0]);
    expect((await d.request('GET', v(`/exec/${exec}/json`))).json()).toMatchObject({
      Running: true,
      ExitCode: null,
    });
    expect((await d.request('POST', v(`/exec/${exec}/resize?h=30&w=100`))).status).toBe(200);
    expect((await d.request('POST', v(`/exec/${exec}/resize?h=x&w=100`))).json()).toEqual({
      message: 'strconv.Atoi: parsing "x": invalid syntax',
    });
    expect((await d.request('GET', v(`/exec/${exec.slice(0, 12)}/json`))).json()).toEqual({
      message: `No such exec instance: ${exec.slice(0, 12)}`,
    });
    const other = await d.create({ Image: IMAGE, Cmd: ['sleep', '300'] });
    await d.request('POST', v(`/containers/${other}/start`));
    const late = await d.exec(other, { Cmd: ['true'] });
    expect((await d.request('GET', v(`/containers/${other}/json`))).json()).toMatchObject({
      ExecIDs: [late],
    });
    await d.request('POST', v(`/containers/${other}/stop?t=0`));
    const gone = await d.request('POST', v(`/exec/${late}/start`), { json: { Detach: false, Tty: false } });
    expect([gone.status, gone.json()]).toEqual([404, { message: `No such exec instance: ${late}` }]);
    expect((await d.request('GET', v(`/containers/${other}/json`))).json()).toMatchObject({ ExecIDs: null });
  });

  it('a hijacked exec ends with a FIN when the process exits even if the client keeps stdin open', async () => {
    const exec = await d.exec(box, { Cmd: ['sh', '-c', 'echo bye'], AttachStdin: true, AttachStdout: true });
    const connection = await d.connect();
    try {
      await connection.request('POST', v(`/exec/${exec}/start`), {
        json: { Detach: false, Tty: false },
        headers: UPGRADE.slice(1),
      });
      await connection.readHead();
      expect(stdout(await connection.readToEnd())).toBe('bye\n');
    } finally {
      await connection.close();
    }
    expect(Buffer.isBuffer(Buffer.alloc(0))).toBe(true);
  });
});

describe('API 1.42 and later (a simulator configured beyond 20.10)', () => {
  it('names the multiplexed stream in attach, exec start and logs heads', async () => {
    const newer = await startTestDockerd({ apiVersion: { max: '1.43' } });
    try {
      const id = await newer.create({ Image: IMAGE, Cmd: ['sh', '-c', 'echo x; sleep 300'] });
      await newer.request('POST', `/v1.43/containers/${id}/start`);
      const logs = await newer.request('GET', `/v1.43/containers/${id}/logs?stdout=1`);
      expect(logs.header('content-type')).toBe('application/vnd.docker.multiplexed-stream');
      expect(
        (await newer.request('GET', `/v1.41/containers/${id}/logs?stdout=1`)).header('content-type'),
      ).toBeUndefined();
      const connection = await newer.connect();
      try {
        await connection.request('POST', `/v1.43/containers/${id}/attach?stream=1&stdout=1`, {
          headers: UPGRADE,
        });
        expect(await connection.readRawHead()).toContain(
          'Content-Type: application/vnd.docker.multiplexed-stream\r\n',
        );
      } finally {
        await connection.close();
      }
    } finally {
      await newer.close();
    }
  });
});
