import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { startTestDockerd, type TestDockerd } from '../test-dockerd.test-helper.js';
import { eventually } from '../../../suite/support/poll.js';

useLeakCheck();

let d: TestDockerd;
beforeAll(async () => {
  d = await startTestDockerd({ name: 'containers-test' });
});
afterAll(async () => {
  await d.close();
});

const IMAGE = 'local/busybox:1';
const sleeper = (): Record<string, unknown> => ({
  Image: IMAGE,
  Cmd: ['sleep', '300'],
  Labels: { suite: 'containers' },
});
const v = (path: string): string => `/v1.41${path}`;
type State = {
  Status: string;
  Running: boolean;
  Paused: boolean;
  ExitCode: number;
  Pid: number;
  StartedAt: string;
  FinishedAt: string;
};
const inspect = async (ref: string): Promise<{ State: State; Name: string } & Record<string, unknown>> =>
  (await d.request('GET', v(`/containers/${ref}/json`))).json();

describe('DKR-8 create', () => {
  it('answers 201 {"Id","Warnings":[]} with a 64-hex ID', async () => {
    const response = await d.request('POST', v('/containers/create?name=created1'), { json: sleeper() });
    expect(response.status).toBe(201);
    const body = response.json<{ Id: string; Warnings: unknown }>();
    expect(body.Id).toMatch(/^[0-9a-f]{64}$/);
    expect(body.Warnings).toEqual([]);
    expect(response.text).toBe(`{"Id":"${body.Id}","Warnings":[]}\n`);
  });

  it("refuses a bad name (400), an unknown image (404) and a name in use (409) with dockerd's texts", async () => {
    const bad = await d.request('POST', v('/containers/create?name=a'), { json: sleeper() });
    expect([bad.status, bad.json()]).toEqual([
      400,
      { message: 'Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed' },
    ]);
    const missing = await d.request('POST', v('/containers/create'), { json: { Image: 'local/nope:1' } });
    expect([missing.status, missing.json()]).toEqual([404, { message: 'No such image: local/nope:1' }]);
    const untagged = await d.request('POST', v('/containers/create'), { json: { Image: 'nope' } });
    expect(untagged.json()).toEqual({ message: 'No such image: nope:latest' });
    const id = await d.create(sleeper(), 'taken');
    const conflict = await d.request('POST', v('/containers/create?name=taken'), { json: sleeper() });
    expect(conflict.status).toBe(409);
    expect(conflict.json()).toEqual({
      message: `Conflict. The container name "/taken" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    });
  });

  it('checks the body: empty config 400, wrong Content-Type 400, bad JSON and empty body 500', async () => {
    expect((await d.request('POST', v('/containers/create'), { json: {} })).json()).toEqual({
      message: 'Config cannot be empty in order to create a container',
    });
    const text = await d.request('POST', v('/containers/create'), {
      headers: [['Content-Type', 'text/plain']],
      body: '{}',
    });
    expect([text.status, text.json()]).toEqual([
      400,
      { message: "Content-Type specified (text/plain) must be 'application/json'" },
    ]);
    const bad = await d.request('POST', v('/containers/create'), {
      headers: [['Content-Type', 'application/json']],
      body: '{bad',
    });
    expect([bad.status, bad.json()]).toEqual([
      500,
      { message: "invalid character 'b' looking for beginning of object key string" },
    ]);
    const empty = await d.request('POST', v('/containers/create'));
    expect([empty.status, empty.json()]).toEqual([500, { message: 'EOF' }]);
    const env = await d.request('POST', v('/containers/create'), { json: { Image: IMAGE, Env: 'x' } });
    expect(env.json()).toEqual({
      message:
        'json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string',
    });
  });

  it('checks the platform query against the image', async () => {
    const wrong = await d.request('POST', v('/containers/create?platform=linux/arm64'), { json: sleeper() });
    expect([wrong.status, wrong.json()]).toEqual([
      404,
      {
        message:
          'image with reference local/busybox:1 was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64',
      },
    ]);
    expect(
      (await d.request('POST', v('/containers/create?platform=linux/amd64'), { json: sleeper() })).status,
    ).toBe(201);
    const invalid = await d.request('POST', v('/containers/create?platform=a/b/c/d'), { json: sleeper() });
    expect([invalid.status, invalid.json()]).toEqual([
      400,
      { message: '"a/b/c/d": cannot parse platform specifier: invalid argument' },
    ]);
  });

  it('merges the image config: Cmd from the image, labels as {}, Hostname from the ID', async () => {
    const id = await d.create({ Image: IMAGE });
    const body = await inspect(id);
    const config = body.Config as Record<string, unknown>;
    expect(config).toMatchObject({
      Cmd: ['sh'],
      Labels: {},
      Hostname: id.slice(0, 12),
      Env: null,
      Image: IMAGE,
    });
    expect(body).toMatchObject({
      Path: 'sh',
      Args: [],
      Image: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
    });
  });
});

describe('DKR-17 inspect', () => {
  it('answers the keys of dockerd 20.10 in order, chunked, with a created State', async () => {
    const id = await d.create(sleeper(), 'inspected');
    const response = await d.request('GET', v(`/containers/${id}/json`));
    expect(response.framing).toBe('chunked');
    const body = response.json<Record<string, unknown>>();
    expect(Object.keys(body)).toEqual([
      'Id',
      'Created',
      'Path',
      'Args',
      'State',
      'Image',
      'ResolvConfPath',
      'HostnamePath',
      'HostsPath',
      'LogPath',
      'Name',
      'RestartCount',
      'Driver',
      'Platform',
      'MountLabel',
      'ProcessLabel',
      'AppArmorProfile',
      'ExecIDs',
      'HostConfig',
      'GraphDriver',
      'Mounts',
      'Config',
      'NetworkSettings',
    ]);
    expect(body.State).toEqual({
      Status: 'created',
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: '0001-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    });
    expect(body).toMatchObject({
      Name: '/inspected',
      Path: 'sleep',
      Args: ['300'],
      ExecIDs: null,
      ResolvConfPath: '',
    });
    expect((await d.request('GET', v(`/containers/${id}/json?size=1`))).json()).toHaveProperty('SizeRw', 0);
    expect((await d.request('GET', v('/containers/nope/json'))).json()).toEqual({
      message: 'No such container: nope',
    });
  });
});

describe('DKR-30 identity resolution', () => {
  it('finds a container by full ID, name with or without "/", and any unique prefix', async () => {
    const id = await d.create(sleeper(), 'resolved');
    for (const ref of [id, 'resolved', '%2Fresolved', id.slice(0, 12)]) {
      const response = await d.request('GET', v(`/containers/${ref}/json`));
      if (ref.startsWith('%2F')) {
        expect(response.status).toBe(301);
        continue;
      }
      expect(response.json<{ Id: string }>().Id).toBe(id);
    }
    expect((await d.request('POST', v('/commit?container=/resolved'))).status).toBe(201);
  });

  it('answers 500 "Multiple IDs found with provided prefix" for an ambiguous prefix', async () => {
    const firsts = new Map<string, string>();
    let prefix: string | undefined;
    for (let i = 0; i < 40 && prefix === undefined; i += 1) {
      const id = await d.create(sleeper());
      if (firsts.has(id[0] as string)) prefix = id[0];
      else firsts.set(id[0] as string, id);
    }
    expect(prefix).toBeDefined();
    const response = await d.request('GET', v(`/containers/${prefix}/json`));
    expect([response.status, response.json()]).toEqual([
      500,
      { message: `Multiple IDs found with provided prefix: ${prefix}` },
    ]);
    expect((await d.request('POST', v('/commit?container='))).json()).toEqual({
      message: 'invalid name or ID supplied: ""',
    });
  });
});

describe('DKR-9..16 lifecycle', () => {
  it('start 204 then 304; stop t=0 kills (137) and a second stop is 304', async () => {
    const id = await d.create(sleeper());
    const started = await d.request('POST', v(`/containers/${id}/start`));
    expect([started.status, started.header('content-type'), started.body.length]).toEqual([
      204,
      undefined,
      0,
    ]);
    const again = await d.request('POST', v(`/containers/${id}/start`));
    expect([again.status, again.header('content-type'), again.header('content-length')]).toEqual([
      304,
      undefined,
      undefined,
    ]);
    const running = await inspect(id);
    expect(running.State).toMatchObject({ Status: 'running', Running: true });
    expect(running.State.Pid).toBeGreaterThan(0);
    expect(running.ResolvConfPath).toBe(`/var/lib/docker/containers/${id}/resolv.conf`);
    expect((await d.request('POST', v(`/containers/${id}/stop?t=0`))).status).toBe(204);
    const stopped = await inspect(id);
    expect(stopped.State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 137, Pid: 0 });
    expect(stopped.State.FinishedAt).not.toBe('0001-01-01T00:00:00Z');
    expect((await d.request('POST', v(`/containers/${id}/stop?t=0`))).status).toBe(304);
    expect((await d.request('POST', v(`/containers/${id}/stop?t=abc`))).json()).toEqual({
      message: 'strconv.Atoi: parsing "abc": invalid syntax',
    });
  });

  it('stop waits t seconds for PID 1 (which ignores SIGTERM) before SIGKILL', async () => {
    const id = await d.create(sleeper());
    await d.request('POST', v(`/containers/${id}/start`));
    const started = Date.now();
    expect((await d.request('POST', v(`/containers/${id}/stop?t=1`))).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect((await inspect(id)).State.ExitCode).toBe(137);
  });

  it('a start body of 8 bytes or more is refused (API 1.24+)', async () => {
    const response = await d.request('POST', v('/containers/nope/start'), { json: { HostConfig: {} } });
    expect([response.status, response.json()]).toEqual([
      400,
      {
        message:
          'starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24',
      },
    ]);
  });

  it('kill: default SIGKILL 137; TERM is ignored by PID 1; 409 when not running; bad signals', async () => {
    const id = await d.create(sleeper(), 'killed');
    await d.request('POST', v(`/containers/${id}/start`));
    expect((await d.request('POST', v(`/containers/${id}/kill?signal=TERM`))).status).toBe(204);
    expect((await inspect(id)).State.Running).toBe(true);
    expect((await d.request('POST', v(`/containers/${id}/kill?signal=FOO`))).json()).toEqual({
      message: 'Invalid signal: FOO',
    });
    const unsupported = await d.request('POST', v('/containers/killed/kill?signal=99'));
    expect([unsupported.status, unsupported.json()]).toEqual([
      500,
      { message: 'Cannot kill container: killed: The linux daemon does not support signal 99' },
    ]);
    expect((await d.request('POST', v(`/containers/${id}/kill`))).status).toBe(204);
    expect((await inspect(id)).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    const again = await d.request('POST', v('/containers/killed/kill'));
    expect([again.status, again.json()]).toEqual([
      409,
      { message: `Cannot kill container: killed: Container ${id} is not running` },
    ]);
  });

  it('pause and unpause with their conflicts; a paused container cannot start, exec or be removed', async () => {
    const id = await d.create(sleeper(), 'paused1');
    const notRunning = await d.request('POST', v(`/containers/${id}/pause`));
    expect([notRunning.status, notRunning.json()]).toEqual([
      409,
      { message: `Container ${id} is not running` },
    ]);
    await d.request('POST', v(`/containers/${id}/start`));
    expect((await d.request('POST', v(`/containers/${id}/pause`))).status).toBe(204);
    expect((await inspect(id)).State).toMatchObject({ Status: 'paused', Running: true, Paused: true });
    expect((await d.request('POST', v(`/containers/${id}/pause`))).json()).toEqual({
      message: `Container ${id} is already paused`,
    });
    expect((await d.request('POST', v(`/containers/${id}/start`))).json()).toEqual({
      message: 'cannot start a paused container, try unpause instead',
    });
    expect(
      (await d.request('POST', v('/containers/paused1/exec'), { json: { Cmd: ['true'] } })).json(),
    ).toEqual({
      message: 'Container paused1 is paused, unpause the container before exec',
    });
    expect((await d.request('DELETE', v(`/containers/${id}`))).json()).toEqual({
      message: `You cannot remove a paused container ${id}. Unpause and then stop the container before attempting removal or force remove`,
    });
    expect((await d.request('POST', v(`/containers/${id}/unpause`))).status).toBe(204);
    const again = await d.request('POST', v(`/containers/${id}/unpause`));
    expect([again.status, again.json()]).toEqual([500, { message: `Container ${id} is not paused` }]);
    expect((await d.request('POST', v(`/containers/${id}/restart?t=0`))).status).toBe(204);
    expect((await inspect(id)).State.Running).toBe(true);
    expect((await d.request('DELETE', v(`/containers/${id}?force=1`))).status).toBe(204);
  });

  it('rename with each of its errors', async () => {
    const id = await d.create(sleeper(), 'old-name');
    await d.create(sleeper(), 'other-name');
    expect((await d.request('POST', v(`/containers/${id}/rename?name=`))).json()).toEqual({
      message: 'Neither old nor new names may be empty',
    });
    expect((await d.request('POST', v(`/containers/${id}/rename?name=old-name`))).json()).toEqual({
      message: 'Renaming a container with the same name as its current name',
    });
    const conflict = await d.request('POST', v(`/containers/${id}/rename?name=other-name`));
    expect(conflict.status).toBe(409);
    expect(conflict.json<{ message: string }>().message).toMatch(
      /^Error when allocating new name: Conflict\. The container name "\/other-name" is already in use/,
    );
    expect((await d.request('POST', v(`/containers/${id}/rename?name=x`))).json()).toEqual({
      message:
        'Error when allocating new name: Invalid container name (/x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed',
    });
    expect((await d.request('POST', v('/containers/nope/rename?name=zz'))).status).toBe(404);
    expect((await d.request('POST', v(`/containers/${id}/rename?name=/new-name`))).status).toBe(204);
    expect((await inspect('new-name')).Name).toBe('/new-name');
    expect((await d.request('GET', v('/containers/old-name/json'))).status).toBe(404);
  });

  it('delete: 409 while running, 204 with force, 404 afterwards', async () => {
    const id = await d.create(sleeper());
    await d.request('POST', v(`/containers/${id}/start`));
    expect((await d.request('DELETE', v(`/containers/${id}`))).json()).toEqual({
      message: `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
    });
    expect((await d.request('DELETE', v(`/containers/${id}?force=1&v=1`))).status).toBe(204);
    expect((await d.request('DELETE', v(`/containers/${id}`))).json()).toEqual({
      message: `No such container: ${id}`,
    });
  });

  it("an unknown executable fails the start with runc's text (400) and exit code 127", async () => {
    const id = await d.create({ Image: IMAGE, Cmd: ['nosuchcmd', 'a'] });
    const response = await d.request('POST', v(`/containers/${id}/start`));
    const message =
      'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown';
    expect([response.status, response.json()]).toEqual([400, { message }]);
    expect((await inspect(id)).State).toMatchObject({ Status: 'created', ExitCode: 127, Error: message });
    expect((await d.request('POST', v(`/containers/${id}/wait`))).json()).toEqual({
      Error: { Message: message },
      StatusCode: 127,
    });
  });
});

describe('DKR-13 wait', () => {
  it('flushes 200 at once and answers when the condition holds; unknown conditions mean not-running', async () => {
    const id = await d.create({ Image: IMAGE, Cmd: ['sh', '-c', 'exit 3'] });
    const nextExit = await d.connect();
    const removed = await d.connect();
    try {
      await nextExit.request('POST', v(`/containers/${id}/wait?condition=next-exit`));
      await removed.request('POST', v(`/containers/${id}/wait?condition=removed`));
      const head = await nextExit.readHead();
      expect(head.status).toBe(200);
      expect(head.headers.map(([name]) => name)).toEqual([
        'Api-Version',
        'Content-Type',
        'Docker-Experimental',
        'Ostype',
        'Server',
        'Date',
        'Transfer-Encoding',
      ]);
      expect((await removed.readHead()).status).toBe(200);
      expect((await d.request('POST', v(`/containers/${id}/start`))).status).toBe(204);
      const body = await nextExit.readUntil((data) => data.includes('0\r\n\r\n'));
      expect(body.toString()).toBe('1e\r\n{"Error":null,"StatusCode":3}\n\r\n0\r\n\r\n');
      expect((await d.request('POST', v(`/containers/${id}/wait`))).json()).toEqual({
        Error: null,
        StatusCode: 3,
      });
      expect((await d.request('POST', v(`/containers/${id}/wait?condition=bogus`))).json()).toEqual({
        Error: null,
        StatusCode: 3,
      });
      expect((await d.request('DELETE', v(`/containers/${id}`))).status).toBe(204);
      expect((await removed.readUntil((data) => data.includes('0\r\n\r\n'))).toString()).toContain(
        '{"Error":null,"StatusCode":3}',
      );
    } finally {
      await nextExit.close();
      await removed.close();
    }
    expect((await d.request('POST', v('/containers/nope/wait'))).status).toBe(404);
  });

  it('a wait whose client goes away is released', async () => {
    const id = await d.create(sleeper());
    const container = d.sim.engine.getContainer(id);
    const waiter = await d.connect();
    await waiter.request('POST', v(`/containers/${id}/wait?condition=removed`));
    await waiter.readHead();
    await eventually(() => container.waiters.size === 1, { description: 'the waiter' });
    await waiter.close();
    await eventually(() => container.waiters.size === 0, { description: 'the waiter to be dropped' });
  });
});

describe('DKR-28 list', () => {
  it("lists running containers, all with all=1, newest first, with dockerd's summary keys", async () => {
    const stopped = await d.create(
      { ...sleeper(), Labels: { list: 'yes', role: 'stopped' } },
      'list-stopped',
    );
    const running = await d.create(
      { ...sleeper(), Labels: { list: 'yes', role: 'running' } },
      'list-running',
    );
    await d.request('POST', v(`/containers/${running}/start`));
    const filters = encodeURIComponent(JSON.stringify({ label: ['list=yes'] }));
    const only = (await d.request('GET', v(`/containers/json?filters=${filters}`))).json<{ Id: string }[]>();
    expect(only.map((c) => c.Id)).toEqual([running]);
    const all = (await d.request('GET', v(`/containers/json?all=1&filters=${filters}`))).json<
      Record<string, unknown>[]
    >();
    expect(all.map((c) => c.Id)).toEqual([running, stopped]);
    expect(Object.keys(all[0] ?? {})).toEqual([
      'Id',
      'Names',
      'Image',
      'ImageID',
      'Command',
      'Created',
      'Ports',
      'Labels',
      'State',
      'Status',
      'HostConfig',
      'NetworkSettings',
      'Mounts',
    ]);
    expect(all[0]).toMatchObject({
      Names: ['/list-running'],
      Image: IMAGE,
      Command: 'sleep 300',
      State: 'running',
      Status: expect.stringMatching(/^Up /) as unknown,
    });
    expect(all[1]).toMatchObject({ State: 'created', Status: 'Created' });
    const byStatus = encodeURIComponent(JSON.stringify({ label: ['list=yes'], status: ['created'] }));
    expect(
      (await d.request('GET', v(`/containers/json?filters=${byStatus}`)))
        .json<{ Id: string }[]>()
        .map((c) => c.Id),
    ).toEqual([stopped]);
    const byName = encodeURIComponent(JSON.stringify({ name: ['^list-stopped$'] }));
    expect(
      (await d.request('GET', v(`/containers/json?all=1&filters=${byName}`)))
        .json<{ Id: string }[]>()
        .map((c) => c.Id),
    ).toEqual([stopped]);
    const byId = encodeURIComponent(JSON.stringify({ id: [stopped.slice(0, 12)] }));
    expect(
      (await d.request('GET', v(`/containers/json?all=1&filters=${byId}`)))
        .json<{ Id: string }[]>()
        .map((c) => c.Id),
    ).toEqual([stopped]);
    const byRole = encodeURIComponent(JSON.stringify({ label: { 'role=stopped': true } }));
    expect(
      (await d.request('GET', v(`/containers/json?all=1&filters=${byRole}`)))
        .json<{ Id: string }[]>()
        .map((c) => c.Id),
    ).toEqual([stopped]);
    expect((await d.request('GET', v('/containers/json?limit=1'))).json<unknown[]>()).toHaveLength(1);
    await d.request('DELETE', v(`/containers/${running}?force=1`));
  });

  it('refuses unknown filters and statuses (400) and malformed filters (500)', async () => {
    const bogus = encodeURIComponent(JSON.stringify({ bogus: ['x'] }));
    expect((await d.request('GET', v(`/containers/json?filters=${bogus}`))).json()).toEqual({
      message: "Invalid filter 'bogus'",
    });
    const status = encodeURIComponent(JSON.stringify({ status: ['bogus'] }));
    expect((await d.request('GET', v(`/containers/json?filters=${status}`))).json()).toEqual({
      message: "Invalid filter 'status=bogus'",
    });
    const malformed = await d.request('GET', v('/containers/json?filters=notjson'));
    expect([malformed.status, malformed.json()]).toEqual([
      500,
      { message: "invalid character 'o' in literal null (expecting 'u')" },
    ]);
  });
});
