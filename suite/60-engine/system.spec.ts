import { clause } from '../harness/clause.js';
import { describeEngineKinds, ENGINE_TIMEOUT, expectError } from './engine-kinds.js';

describeEngineKinds('system endpoints', ({ kind, get }) => {
  clause(
    'DKR-1',
    `serves its own API version, prefixed or not, with Api-Version, Server and Ostype (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const api = engine.client.apiVersion;
      const prefixed = await engine.request({ method: 'GET', path: '/version' });
      expect(prefixed.status, `GET /v${api}/version`).toBe(200);
      const version = prefixed.json<{ ApiVersion?: string; Os?: string }>();
      expect(version.ApiVersion, 'ApiVersion of /version against Api-Version of /_ping').toBe(api);
      expect(prefixed.header('api-version'), 'Api-Version header').toBe(api);
      expect(prefixed.header('server') ?? '(none)', 'Server header: <product>/<version> (<os>)').toMatch(
        /^\S+\/\S+ \(\S+\)$/,
      );
      expect(prefixed.header('ostype'), 'Ostype header against Os of /version').toBe(version.Os);
      const bare = await engine.request({ method: 'GET', path: '/version', raw: true });
      expect(bare.status, 'GET /version with no prefix').toBe(200);
      expect(bare.json<{ ApiVersion?: string }>().ApiVersion, 'no prefix means the maximum version').toBe(
        api,
      );
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-1',
    `refuses a version above its maximum or below its minimum with 400 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const tooNew = await engine.request({ method: 'GET', path: '/v9.99/version', raw: true });
      expect(tooNew.status, 'GET /v9.99/version').toBe(400);
      expect(tooNew.text, 'the refusal of /v9.99').toMatch(/too new/i);
      const tooOld = await engine.request({ method: 'GET', path: '/v1.0/version', raw: true });
      expect(tooOld.status, 'GET /v1.0/version').toBe(400);
      // dockerd 20.10 sends this one as text/plain, moby master as JSON: only the words count.
      expect(tooOld.text, 'the refusal of /v1.0').toMatch(/too old/i);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-2',
    `answers 404 "page not found" for unknown paths and methods, never 405 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const cases = [
        { method: 'GET', path: '/no-such-route' },
        { method: 'GET', path: '/no-such-route', raw: true },
        { method: 'POST', path: '/version' },
        { method: 'PUT', path: '/_ping', raw: true },
      ];
      for (const spec of cases) {
        const reply = await engine.request(spec);
        const what = `${spec.method} ${spec.raw === true ? '' : '/v…'}${spec.path}`;
        expect(expectError(expect, reply, 404, what), what).toBe('page not found');
      }
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-3',
    `sends errors as application/json {"message"} plus a newline, by class (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const missing = engine.session.name('missing');
      const notFound = await engine.request({ method: 'GET', path: `/containers/${missing}/json` });
      expectError(expect, notFound, 404, 'inspect of an unknown container');
      expect(notFound.text.endsWith('\n'), 'the error body ends with a newline').toBe(true);

      const invalid = await engine.request({
        method: 'POST',
        path: '/containers/create',
        query: { name: '-bad' },
        json: engine.createBody({ cmd: ['true'] }),
      });
      expectError(expect, invalid, 400, 'create with an invalid name (invalid parameter)');
      expect(invalid.text.endsWith('\n'), 'the error body ends with a newline').toBe(true);

      const holder = engine.idle;
      const conflict = await engine.request({
        method: 'POST',
        path: '/containers/create',
        query: { name: holder.name },
        json: engine.createBody({ cmd: ['true'] }),
      });
      expectError(expect, conflict, 409, 'create with a name in use (conflict)');
      expect(conflict.text.endsWith('\n'), 'the error body ends with a newline').toBe(true);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-3',
    `sends 304 with no body (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.sharedBox();
      const again = await engine.request({ method: 'POST', path: `/containers/${id}/start` });
      expect(again.status, 'start of a running container').toBe(304);
      expect(again.body.length, 'bytes of the 304 body').toBe(0);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-4',
    `reads "", 0, no, false and none (any case, trimmed) as false and anything else as true (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      // A created container is listed only when `all` is true.
      const { id } = engine.idle;
      const filters = { id: [id] };
      const listed = async (all: string): Promise<boolean> => {
        const reply = await engine.request({
          method: 'GET',
          path: '/containers/json',
          query: { all, filters },
        });
        expect(reply.status, `GET /containers/json?all=${JSON.stringify(all)}`).toBe(200);
        return reply.json<{ Id: string }[]>().some((container) => container.Id === id);
      };
      for (const value of ['', '0', 'no', 'false', 'none', 'FALSE', 'No', ' none ', 'NONE']) {
        expect(await listed(value), `all=${JSON.stringify(value)} is false`).toBe(false);
      }
      for (const value of ['1', 'true', 'yes', 'on', 'x', 'TRUE', '2']) {
        expect(await listed(value), `all=${JSON.stringify(value)} is true`).toBe(true);
      }
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-6',
    `answers GET and HEAD /_ping with 200 and the negotiation and no-cache headers (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const ping = await engine.request({ method: 'GET', path: '/_ping', raw: true });
      expect(ping.status, 'GET /_ping').toBe(200);
      expect(ping.text, 'GET /_ping body').toBe('OK');
      expect(ping.header('content-type') ?? '(none)', 'GET /_ping Content-Type').toMatch(/^text\/plain\b/);
      const head = await engine.request({ method: 'HEAD', path: '/_ping', raw: true });
      expect(head.status, 'HEAD /_ping').toBe(200);
      expect(head.body.length, 'HEAD /_ping body').toBe(0);
      expect(head.header('content-type') ?? '(none)', 'HEAD /_ping Content-Type').toMatch(/^text\/plain\b/);
      for (const reply of [ping, head]) {
        expect(reply.header('api-version') ?? '(none)', 'Api-Version').toMatch(/^\d+\.\d+$/);
        expect(reply.header('docker-experimental') ?? '(none)', 'Docker-Experimental').toMatch(
          /^(true|false)$/,
        );
        expect(reply.header('cache-control'), 'Cache-Control').toBe('no-cache, no-store, must-revalidate');
        expect(reply.header('pragma'), 'Pragma').toBe('no-cache');
      }
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-7',
    `describes itself on /version and /info (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const version = await engine.request({ method: 'GET', path: '/version' });
      expect(version.status, 'GET /version').toBe(200);
      const body = version.json<Record<string, unknown>>();
      for (const key of [
        'Platform',
        'Components',
        'Version',
        'ApiVersion',
        'MinAPIVersion',
        'GitCommit',
        'GoVersion',
        'Os',
        'Arch',
        'KernelVersion',
        'BuildTime',
      ]) {
        expect(Object.keys(body), `/version has ${key}`).toContain(key);
      }
      expect(typeof (body.Platform as { Name?: unknown }).Name, '/version Platform.Name').toBe('string');
      expect(Array.isArray(body.Components), '/version Components is an array').toBe(true);

      const info = await engine.request({ method: 'GET', path: '/info' });
      expect(info.status, 'GET /info').toBe(200);
      const facts = info.json<Record<string, unknown>>();
      for (const key of [
        'ID',
        'Containers',
        'ContainersRunning',
        'ContainersPaused',
        'ContainersStopped',
        'Images',
        'Driver',
        'OperatingSystem',
        'OSType',
        'Architecture',
        'NCPU',
        'MemTotal',
        'Name',
        'ServerVersion',
        'Runtimes',
        'DefaultRuntime',
      ]) {
        expect(Object.keys(facts), `/info has ${key}`).toContain(key);
      }
      expect(facts.OSType, '/info OSType against /version Os').toBe(body.Os);
    },
    ENGINE_TIMEOUT,
  );
});
