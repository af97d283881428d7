import { clause } from '../harness/clause.js';
import {
  CONTAINER_ID,
  describeEngineKinds,
  ENGINE_TIMEOUT,
  expectError,
  type Engine,
} from './engine-kinds.js';

/** RFC 3339 with optional fractional seconds, as Go prints time.Time. */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

async function platformOf(engine: Engine): Promise<{ os: string; arch: string }> {
  const version = await engine.expectStatus({ method: 'GET', path: '/version' }, 200);
  const body = version.json<{ Os: string; Arch: string }>();
  return { os: body.Os, arch: body.Arch };
}

describeEngineKinds('containers', ({ kind, get }) => {
  clause(
    'DKR-5',
    `gives 64-hex IDs and keeps names with a leading "/" (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id, name } = engine.idle;
      expect(id, 'Id of a created container').toMatch(CONTAINER_ID);
      const inspected = await engine.inspect(name);
      expect(inspected.Id, 'Id of inspect by name').toBe(id);
      expect(inspected.Name, 'Name of inspect').toBe(`/${name}`);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-5',
    `refuses names outside [a-zA-Z0-9][a-zA-Z0-9_.-]+ with 400 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      for (const name of ['x', '-bad', '_bad', '.bad', 'a b', 'a/b', 'caf\u00e9']) {
        const reply = await engine.request({
          method: 'POST',
          path: '/containers/create',
          query: { name },
          json: engine.createBody({ cmd: ['true'] }),
        });
        // Anything wrongly created carries the session label and goes with the sweep.
        const message = expectError(expect, reply, 400, `create named ${JSON.stringify(name)}`);
        expect(message, `refusal of ${JSON.stringify(name)}`).toMatch(/Invalid container name/);
      }
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-8',
    `creates with 201, a 64-hex Id and null-or-array Warnings (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const name = engine.session.name('created');
      const reply = await engine.request({
        method: 'POST',
        path: '/containers/create',
        query: { name },
        json: engine.createBody({ cmd: ['sleep', '30'] }),
      });
      expect(reply.status, 'container create').toBe(201);
      const body = reply.json<{ Id: string; Warnings: unknown }>();
      engine.removeAfter(context, body.Id);
      expect(body.Id, 'Id').toMatch(CONTAINER_ID);
      expect(body.Warnings === null || Array.isArray(body.Warnings), 'Warnings is null or an array').toBe(
        true,
      );
      expect((await engine.state(body.Id)).Status, 'state of a new container').toBe('created');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-8',
    `refuses a non-JSON body, an empty config and an invalid name with 400 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const body = JSON.stringify(engine.createBody({ cmd: ['true'] }));
      const plain = await engine.request({
        method: 'POST',
        path: '/containers/create',
        query: { name: engine.session.name('plain') },
        body,
        headers: [['Content-Type', 'text/plain']],
      });
      expectError(expect, plain, 400, 'create with Content-Type text/plain');
      const empty = await engine.request({ method: 'POST', path: '/containers/create', json: {} });
      expect(expectError(expect, empty, 400, 'create with {}'), 'refusal of an empty config').toMatch(
        /config cannot be empty/i,
      );
      const badName = await engine.request({
        method: 'POST',
        path: '/containers/create',
        query: { name: '-bad' },
        json: engine.createBody({ cmd: ['true'] }),
      });
      expect(expectError(expect, badName, 400, 'create named -bad'), 'refusal of -bad').toMatch(
        /Invalid container name \(-bad\)/,
      );
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-8',
    `answers 404 "No such image" for an unknown image (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const image = `${engine.session.imagePrefix}missing:1`;
      const reply = await engine.request({
        method: 'POST',
        path: '/containers/create',
        query: { name: engine.session.name('noimage') },
        json: engine.createBody({ cmd: ['true'], image }),
      });
      expect(expectError(expect, reply, 404, 'create from an unknown image'), 'the refusal').toContain(
        `No such image: ${image}`,
      );
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-8',
    `answers 409 naming the holder for a name in use (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const holder = engine.idle;
      const reply = await engine.request({
        method: 'POST',
        path: '/containers/create',
        query: { name: holder.name },
        json: engine.createBody({ cmd: ['true'] }),
      });
      const message = expectError(expect, reply, 409, 'create with a name in use');
      expect(message, 'the conflict names the name').toContain(`"/${holder.name}" is already in use`);
      expect(message, 'the conflict names the holder').toContain(holder.id);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-8',
    `takes the platform from the query: its own, malformed, foreign (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { os, arch } = await platformOf(engine);
      const create = (name: string, platform: string) =>
        engine.request({
          method: 'POST',
          path: '/containers/create',
          query: { name, platform },
          json: engine.createBody({ cmd: ['true'] }),
        });

      const own = engine.session.name('own-platform');
      const created = await create(own, `${os}/${arch}`);
      expect(created.status, `create with platform=${os}/${arch}`).toBe(201);
      engine.removeAfter(context, created.json<{ Id: string }>().Id);
      expect((await engine.inspect(own)).Platform, 'Platform of the container').toBe(os);

      const malformed = engine.session.name('malformed');
      expectError(expect, await create(malformed, 'a/b/c/d'), 400, 'create with platform=a/b/c/d');

      const foreign = engine.session.name('foreign');
      const other = `${os}/${arch === 's390x' ? 'ppc64le' : 's390x'}`;
      const refused = await create(foreign, other);
      // dockerd 20.10: 404 (no image for that platform); moby master: 400; a proxy (HND-5): 501.
      expect(refused.status, `create with platform=${other} (${refused.text.trim()})`).toBeGreaterThanOrEqual(
        400,
      );
      const lookup = await engine.request({ method: 'GET', path: `/containers/${foreign}/json` });
      expect(lookup.status, 'the refused container does not exist').toBe(404);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-17',
    `inspects a container with the documented fields and State (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id, name } = await engine.sharedBox();
      const body = await engine.inspect(id);
      for (const key of [
        'Id',
        'Created',
        'Path',
        'Args',
        'State',
        'Image',
        'Name',
        'RestartCount',
        'Driver',
        'Platform',
        'Mounts',
        'Config',
        'HostConfig',
        'NetworkSettings',
        'ExecIDs',
      ]) {
        expect(Object.keys(body), `inspect has ${key}`).toContain(key);
      }
      expect(body.Id, 'Id').toBe(id);
      expect(body.Name, 'Name').toBe(`/${name}`);
      expect(String(body.Created), 'Created is RFC 3339').toMatch(RFC3339);
      expect(body.Path, 'Path').toBe('sleep');
      expect(body.Args, 'Args').toEqual(['3600']);
      expect(String(body.Image), 'Image is the image ID').toMatch(/^sha256:[0-9a-f]{64}$/);
      const networks = (body.NetworkSettings as { Networks?: unknown }).Networks;
      expect(typeof networks, 'NetworkSettings.Networks is a map').toBe('object');
      // Health appears only for a container with a health check (dockerd 20.10 and moby alike).
      const state = body.State as Record<string, unknown>;
      for (const key of [
        'Status',
        'Running',
        'Paused',
        'Restarting',
        'OOMKilled',
        'Dead',
        'Pid',
        'ExitCode',
        'Error',
        'StartedAt',
        'FinishedAt',
      ]) {
        expect(Object.keys(state), `State has ${key}`).toContain(key);
      }
      expect(state, 'State of a running container').toMatchObject({
        Status: 'running',
        Running: true,
        Paused: false,
      });
      expect(String(state.StartedAt), 'StartedAt is RFC 3339').toMatch(RFC3339);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-17',
    `adds SizeRw and SizeRootFs with size, and answers 404 for an unknown container (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = engine.idle;
      const sized = await engine.expectStatus(
        { method: 'GET', path: `/containers/${id}/json`, query: { size: true } },
        200,
      );
      const body = sized.json<Record<string, unknown>>();
      expect(typeof body.SizeRw, 'SizeRw with size=1').toBe('number');
      expect(typeof body.SizeRootFs, 'SizeRootFs with size=1').toBe('number');
      const missing = engine.session.name('missing');
      const reply = await engine.request({ method: 'GET', path: `/containers/${missing}/json` });
      expect(expectError(expect, reply, 404, 'inspect of an unknown container'), 'the refusal').toBe(
        `No such container: ${missing}`,
      );
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-28',
    `lists summaries, stopped ones only with all, filtered by label, name and status (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const [idle, busy] = await Promise.all([
        engine.create(context, { hint: 'idle', cmd: ['true'] }),
        engine.run(context, { hint: 'busy', cmd: ['sleep', '30'] }),
      ]);
      const [key, value] = Object.entries(engine.session.labels)[0]!;
      const label = [`${key}=${value}`];
      const list = async (
        query: Record<string, unknown>,
      ): Promise<{ Id: string; [key: string]: unknown }[]> => {
        const reply = await engine.request({
          method: 'GET',
          path: '/containers/json',
          query: query as Record<string, string | boolean | Record<string, unknown>>,
        });
        expect(reply.status, `GET /containers/json ${JSON.stringify(query)}`).toBe(200);
        return reply.json();
      };
      const ids = (summaries: { Id: string }[]): string[] => summaries.map((summary) => summary.Id);
      // Other containers of the file (its shared box) may carry the label too: membership, not equality.
      const all = await list({ all: true, filters: { label } });
      expect(ids(all), 'all=1 with the session label').toEqual(expect.arrayContaining([idle.id, busy.id]));
      expect(ids(all), 'all=1 with the session label: not an unlabelled container').not.toContain(
        engine.idle.id,
      );
      for (const entry of all)
        expect(entry.Labels, `labels of ${entry.Id} (label filter)`).toMatchObject(engine.session.labels);
      const running = ids(await list({ filters: { label } }));
      expect(running, 'without all: the running container').toContain(busy.id);
      expect(running, 'without all: not the created one').not.toContain(idle.id);
      const summary = all.find((entry) => entry.Id === busy.id)!;
      for (const field of [
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
      ]) {
        expect(Object.keys(summary), `summary has ${field}`).toContain(field);
      }
      expect(summary.Names, 'Names').toEqual([`/${busy.name}`]);
      expect(summary.State, 'State').toBe('running');
      expect(ids(await list({ all: true, filters: { label, name: [idle.name] } })), 'name filter').toEqual([
        idle.id,
      ]);
      const created = ids(await list({ all: true, filters: { label, status: ['created'] } }));
      expect(created, 'status=created').toContain(idle.id);
      expect(created, 'status=created').not.toContain(busy.id);
      const up = ids(await list({ all: true, filters: { label, status: ['running'] } }));
      expect(up, 'status=running').toContain(busy.id);
      expect(up, 'status=running').not.toContain(idle.id);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-30',
    `finds a container by full ID, name, "/name" in /commit and unique prefixes (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id, name } = engine.idle;
      for (const identifier of [id, name, id.slice(0, 12), id.slice(0, 8)]) {
        const reply = await engine.request({ method: 'GET', path: `/containers/${identifier}/json` });
        expect(reply.status, `inspect by ${identifier}`).toBe(200);
        expect(reply.json<{ Id: string }>().Id, `container found by ${identifier}`).toBe(id);
      }
      const repo = `${engine.session.imagePrefix}by-slash-name`;
      engine.removeImageAfter(context, `${repo}:1`);
      const commit = await engine.request({
        method: 'POST',
        path: '/commit',
        query: { container: `/${name}`, repo, tag: '1' },
      });
      expect(commit.status, `commit of container=/${name}`).toBe(201);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-30',
    `refuses an ambiguous prefix naming multiple IDs, and an unknown or upper-case one with 404 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      // Create, four at a time, until two of the file's containers share their first character.
      const seen = new Map<string, string>([[engine.idle.id[0]!, engine.idle.id]]);
      let shared: string | undefined;
      while (shared === undefined && seen.size < 16) {
        const batch = await Promise.all(
          [1, 2, 3, 4].map(() => engine.create(context, { hint: 'amb', cmd: ['true'] })),
        );
        for (const { id } of batch) {
          if (seen.has(id[0]!)) shared ??= id[0]!;
          else seen.set(id[0]!, id);
        }
      }
      expect(shared, 'two containers sharing a first character').toBeDefined();
      const ambiguous = await engine.request({ method: 'GET', path: `/containers/${shared!}/json` });
      // moby master: 400; dockerd 20.10: 500 "Multiple IDs found with provided prefix".
      const message = expectError(
        expect,
        ambiguous,
        [400, 500],
        `inspect by the ambiguous prefix ${shared!}`,
      );
      expect(message, 'the refusal').toMatch(/multiple IDs found with provided prefix/i);

      const id = seen.get(shared!)!;
      const upper = await engine.request({ method: 'GET', path: `/containers/${id.toUpperCase()}/json` });
      expectError(expect, upper, 404, 'inspect by the upper-case ID');
      const unknown = engine.session.name('unknown');
      const missing = await engine.request({ method: 'GET', path: `/containers/${unknown}/json` });
      expect(expectError(expect, missing, 404, 'inspect of an unknown name'), 'the refusal').toBe(
        `No such container: ${unknown}`,
      );
    },
    ENGINE_TIMEOUT,
  );
});
