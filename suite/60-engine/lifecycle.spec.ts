import { clause } from '../harness/clause.js';
import { describeEngineKinds, ENGINE_TIMEOUT, expectError } from './engine-kinds.js';

const post = (path: string, query?: Record<string, string | number | boolean>) =>
  ({ method: 'POST', path, ...(query === undefined ? {} : { query }) }) as const;

describeEngineKinds('container lifecycle', ({ kind, get }) => {
  clause(
    'DKR-9',
    `starts with 204, answers 304 with no body when running, 409 when paused, 404 when unknown (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.create(context, { cmd: ['sleep', '30'] });
      const started = await engine.request(post(`/containers/${id}/start`));
      expect(started.status, 'start of a created container').toBe(204);
      expect((await engine.state(id)).Running, 'Running after start').toBe(true);
      const again = await engine.request(post(`/containers/${id}/start`));
      expect(again.status, 'start of a running container').toBe(304);
      expect(again.body.length, 'bytes of the 304 body').toBe(0);
      await engine.expectStatus(post(`/containers/${id}/pause`), 204);
      const paused = await engine.request(post(`/containers/${id}/start`));
      expect(expectError(expect, paused, 409, 'start of a paused container'), 'the refusal').toMatch(
        /cannot start a paused container, try unpause instead/,
      );
      await engine.expectStatus(post(`/containers/${id}/unpause`), 204);
      const unknown = await engine.request(post(`/containers/${engine.session.name('missing')}/start`));
      expectError(expect, unknown, 404, 'start of an unknown container');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-9',
    `refuses a start request body of 8 bytes or more with 400 and takes {} (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.create(context, { cmd: ['sleep', '30'] });
      const withBody = await engine.request({
        method: 'POST',
        path: `/containers/${id}/start`,
        json: { Binds: ['/x:/y'] },
      });
      expectError(expect, withBody, 400, 'start with a HostConfig body');
      expect((await engine.state(id)).Running, 'Running after the refused start').toBe(false);
      const small = await engine.request({ method: 'POST', path: `/containers/${id}/start`, json: {} });
      expect(small.status, 'start with the 2-byte body {}').toBe(204);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-10',
    `stops with 204, answers 304 when not running and 404 when unknown, and refuses a non-integer t (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.run(context, { cmd: ['sleep', '30'] });
      const refused = await engine.request(post(`/containers/${id}/stop`, { t: 'soon' }));
      // moby master: 400; dockerd 20.10: 500 (strconv.Atoi).
      expectError(expect, refused, [400, 500], 'stop?t=soon');
      expect((await engine.state(id)).Running, 'Running after the refused stop').toBe(true);
      const stopped = await engine.request(post(`/containers/${id}/stop`, { t: 0 }));
      expect(stopped.status, 'stop?t=0 of a running container').toBe(204);
      expect(await engine.state(id), 'state after stop').toMatchObject({ Running: false, Status: 'exited' });
      const again = await engine.request(post(`/containers/${id}/stop`, { t: 0 }));
      expect(again.status, 'stop of a stopped container').toBe(304);
      expect(again.body.length, 'bytes of the 304 body').toBe(0);
      const unknown = await engine.request(post(`/containers/${engine.session.name('missing')}/stop`));
      expectError(expect, unknown, 404, 'stop of an unknown container');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-11',
    `restarts with 204 into a new start, and answers 404 when unknown (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.run(context, { cmd: ['sleep', '30'] });
      const before = String((await engine.state(id)).StartedAt);
      const restarted = await engine.request(post(`/containers/${id}/restart`, { t: 0 }));
      expect(restarted.status, 'restart?t=0').toBe(204);
      const state = await engine.state(id);
      expect(state.Running, 'Running after restart').toBe(true);
      expect(String(state.StartedAt) > before, `StartedAt ${String(state.StartedAt)} after ${before}`).toBe(
        true,
      );
      const unknown = await engine.request(
        post(`/containers/${engine.session.name('missing')}/restart`, { t: 0 }),
      );
      expectError(expect, unknown, 404, 'restart of an unknown container');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-12',
    `delivers an ignored signal with 204, refuses an invalid one with 400, kills with SIGKILL by default, then answers 409 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.run(context, { cmd: ['sleep', '30'] });
      // SIGWINCH's default action is to ignore it: delivered, and nothing stops.
      const delivered = await engine.request(post(`/containers/${id}/kill`, { signal: 'SIGWINCH' }));
      expect(delivered.status, 'kill?signal=SIGWINCH').toBe(204);
      const numeric = await engine.request(post(`/containers/${id}/kill`, { signal: 28 }));
      expect(numeric.status, 'kill?signal=28 (SIGWINCH by number)').toBe(204);
      const invalid = await engine.request(post(`/containers/${id}/kill`, { signal: 'SIGNOPE' }));
      expectError(expect, invalid, 400, 'kill?signal=SIGNOPE');
      // A check that nothing happens: give a wrongly delivered signal time to stop the container
      // (a fixed wait is the behaviour under test here, not a wait for something to happen).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await engine.state(id)).Running, 'Running after an ignored and an invalid signal').toBe(true);
      const killed = await engine.request(post(`/containers/${id}/kill`));
      expect(killed.status, 'kill with no signal').toBe(204);
      expect(await engine.waitExit(id), 'exit code after the default kill (SIGKILL)').toBe(137);
      const notRunning = await engine.request(post(`/containers/${id}/kill`));
      expect(expectError(expect, notRunning, 409, 'kill of an exited container'), 'the refusal').toMatch(
        new RegExp(`container ${id} is not running`, 'i'),
      );
      const unknown = await engine.request(post(`/containers/${engine.session.name('missing')}/kill`));
      expectError(expect, unknown, 404, 'kill of an unknown container');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-13',
    `sends the wait head at once and the body at the next exit, and answers 404 for an unknown container (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.create(context, { cmd: ['sh', '-c', 'sleep 0.3; exit 3'] });
      const wait = await engine.client.open(post(`/containers/${id}/wait`, { condition: 'next-exit' }));
      expect(wait.head.status, 'wait?condition=next-exit before start').toBe(200);
      expect(wait.header('content-type') ?? '(none)', 'Content-Type of the wait').toMatch(
        /^application\/json\b/,
      );
      expect(wait.body().length, 'wait body before the container ran').toBe(0);
      await engine.expectStatus(post(`/containers/${id}/start`), 204);
      const body = JSON.parse((await wait.untilEnd('the wait body after the exit')).toString()) as {
        StatusCode: number;
        Error?: unknown;
      };
      expect(body.StatusCode, 'StatusCode').toBe(3);
      expect(
        body.Error === null || body.Error === undefined,
        `Error of a clean exit: ${JSON.stringify(body.Error)}`,
      ).toBe(true);
      const invalid = await engine.request(post(`/containers/${id}/wait`, { condition: 'bogus' }));
      if (invalid.status === 400) {
        expect(expectError(expect, invalid, 400, 'wait?condition=bogus'), 'the refusal').toMatch(
          /invalid condition/,
        );
      } else {
        // dockerd 20.10 waits as for not-running: the container has exited, so the answer is at once.
        expect(invalid.status, `wait?condition=bogus (${invalid.text.trim()})`).toBe(200);
        expect(invalid.json<{ StatusCode: number }>().StatusCode, 'StatusCode').toBe(3);
      }
      const unknown = await engine.request(post(`/containers/${engine.session.name('missing')}/wait`));
      expectError(expect, unknown, 404, 'wait of an unknown container');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-13',
    `waits for not-running by default and for removal with removed (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.run(context, { cmd: ['sleep', '30'] });
      const wait = await engine.client.open(post(`/containers/${id}/wait`));
      expect(wait.head.status, 'wait of a running container').toBe(200);
      const removed = await engine.client.open(post(`/containers/${id}/wait`, { condition: 'removed' }));
      expect(removed.head.status, 'wait?condition=removed').toBe(200);
      await engine.expectStatus(post(`/containers/${id}/kill`), 204);
      const body = JSON.parse((await wait.untilEnd('the wait body after the kill')).toString()) as {
        StatusCode: number;
      };
      expect(body.StatusCode, 'StatusCode after SIGKILL').toBe(137);
      expect(removed.ended, 'the removed wait ends only once the container is removed').toBe(false);
      await engine.expectStatus({ method: 'DELETE', path: `/containers/${id}` }, 204);
      const gone = JSON.parse((await removed.untilEnd('the removed wait body after removal')).toString()) as {
        StatusCode: unknown;
      };
      expect(typeof gone.StatusCode, 'StatusCode of the removed wait').toBe('number');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-14',
    `renames with 204 and answers to the new name only (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id, name } = await engine.create(context, { cmd: ['true'] });
      const renamed = engine.session.name('renamed');
      const reply = await engine.request(post(`/containers/${id}/rename`, { name: renamed }));
      expect(reply.status, `rename to ${renamed}`).toBe(204);
      expect((await engine.inspect(renamed)).Name, 'Name after rename').toBe(`/${renamed}`);
      const old = await engine.request({ method: 'GET', path: `/containers/${name}/json` });
      expectError(expect, old, 404, 'inspect by the old name');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-14',
    `refuses empty, unchanged and invalid names with 400, a name in use with 409, an unknown container with 404 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const [first, second] = await Promise.all([
        engine.create(context, { cmd: ['true'] }),
        engine.create(context, { cmd: ['true'] }),
      ]);
      const rename = (id: string, name: string) => engine.request(post(`/containers/${id}/rename`, { name }));
      expect(expectError(expect, await rename(first.id, ''), 400, 'rename to ""'), 'the refusal').toMatch(
        /Neither old nor new names may be empty/,
      );
      expectError(expect, await rename(first.id, first.name), 400, 'rename to the current name');
      expect(expectError(expect, await rename(first.id, '-x'), 400, 'rename to -x'), 'the refusal').toMatch(
        /Invalid container name/,
      );
      const inUse = expectError(expect, await rename(first.id, second.name), 409, 'rename to a name in use');
      expect(inUse, 'the conflict names the holder').toContain(second.id);
      expectError(
        expect,
        await rename(engine.session.name('missing'), engine.session.name('x')),
        404,
        'rename of an unknown container',
      );
      expect((await engine.inspect(first.id)).Name, 'Name after the refused renames').toBe(`/${first.name}`);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-15',
    `removes with 204, refuses running or paused containers without force with 409 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.run(context, { cmd: ['sleep', '30'] });
      const running = await engine.request({ method: 'DELETE', path: `/containers/${id}` });
      expectError(expect, running, 409, 'remove of a running container without force');
      await engine.expectStatus(post(`/containers/${id}/pause`), 204);
      const paused = await engine.request({ method: 'DELETE', path: `/containers/${id}` });
      expectError(expect, paused, 409, 'remove of a paused container without force');
      await engine.expectStatus(post(`/containers/${id}/unpause`), 204);
      const forced = await engine.request({
        method: 'DELETE',
        path: `/containers/${id}`,
        query: { force: true },
      });
      expect(forced.status, 'remove with force=1').toBe(204);
      expectError(
        expect,
        await engine.request({ method: 'GET', path: `/containers/${id}/json` }),
        404,
        'inspect after removal',
      );
      const stopped = await engine.create(context, { cmd: ['true'] });
      const removed = await engine.request({ method: 'DELETE', path: `/containers/${stopped.id}` });
      expect(removed.status, 'remove of a created container').toBe(204);
      const again = await engine.request({ method: 'DELETE', path: `/containers/${stopped.id}` });
      expectError(expect, again, 404, 'remove of a removed container');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-16',
    `pauses and unpauses with 204, and the state follows (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.run(context, { cmd: ['sleep', '30'] });
      expect((await engine.request(post(`/containers/${id}/pause`))).status, 'pause').toBe(204);
      expect(await engine.state(id), 'state when paused').toMatchObject({
        Status: 'paused',
        Paused: true,
        Running: true,
      });
      expect((await engine.request(post(`/containers/${id}/unpause`))).status, 'unpause').toBe(204);
      expect(await engine.state(id), 'state when unpaused').toMatchObject({
        Status: 'running',
        Paused: false,
        Running: true,
      });
    },
    ENGINE_TIMEOUT,
  );
});
