import { describe } from 'vitest';
import { clause } from '../harness/clause.js';
import { useLeakCheck } from '../support/leak-check.js';
import { call, createContainer, guestHas, startTwoRoleStack } from '../harness/proxy-client.js';

describe('proxy routing', () => {
  useLeakCheck();

  clause(
    'HND-4',
    'routes a create with platform=linux/amd64 to the amd64 guest, and its follow-ups by ID, short ID and name there',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, native, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, {
        name: 'web',
        platform: 'linux/amd64',
        cmd: ['sh', '-c', 'echo hello; sleep 60'],
      });
      expect(await guestHas(amd64.socketPath, id), 'the amd64 guest has it').toBe(true);
      expect(await guestHas(native.socketPath, id), 'the native guest has it').toBe(false);
      const short = id.slice(0, 12);
      expect((await call(proxy, 'GET', `/v1.41/containers/${short}/logs?stdout=1`)).status).toBe(200);
      const exec = await call(proxy, 'POST', '/v1.41/containers/web/exec', { body: { Cmd: ['true'] } });
      expect(exec.status).toBe(201);
      expect((await call(proxy, 'POST', '/v1.41/containers/web/stop?t=0')).status).toBe(204);
      expect((await call(proxy, 'DELETE', `/v1.41/containers/${short}`)).status).toBe(204);
      expect(await guestHas(amd64.socketPath, id), 'removed from the amd64 guest').toBe(false);
    },
  );

  clause(
    'HND-4',
    'sends a create without a platform to the default role',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, native, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, { start: false });
      expect(await guestHas(native.socketPath, id)).toBe(true);
      expect(await guestHas(amd64.socketPath, id)).toBe(false);
    },
  );

  clause('HND-2', 'matches platform aliases case-insensitively', async ({ use, onTestFinished, expect }) => {
    const { proxy, native, amd64 } = await startTwoRoleStack({ use, onTestFinished });
    for (const platform of ['amd64', 'x86_64', 'linux/x86_64', 'LINUX/AMD64']) {
      const id = await createContainer(proxy, { platform, start: false });
      expect(await guestHas(amd64.socketPath, id), `${platform} lands on amd64`).toBe(true);
    }
    for (const platform of ['aarch64', 'arm64', 'linux/arm64/v8']) {
      const id = await createContainer(proxy, { platform, start: false });
      expect(await guestHas(native.socketPath, id), `${platform} lands on native`).toBe(true);
    }
  });

  clause(
    'HND-5',
    'refuses a platform no role runs with 501 naming it and the roles, reaching no guest',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, native, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const answer = await call(proxy, 'POST', '/v1.41/containers/create?platform=linux%2Farm%2Fv7', {
        body: { Image: 'local/busybox:1', Cmd: ['true'] },
      });
      expect(answer.status).toBe(501);
      expect(answer.headers['content-type']).toBe('application/json');
      const { message } = answer.json<{ message: string }>();
      expect(message).toContain('linux/arm/v7');
      expect(message).toContain('native');
      expect(message).toContain('amd64');
      for (const guest of [native, amd64]) {
        const listed = await call(guest.socketPath, 'GET', '/v1.41/containers/json?all=1');
        expect(listed.json<unknown[]>()).toHaveLength(0);
      }
    },
  );

  clause(
    'HND-1',
    'finds workloads only at the path root: /images/containers/x names none',
    async ({ use, onTestFinished, expect }) => {
      // Upstream scans for any "containers" segment, so this path would look up "history" (HND-1 quirk).
      const { proxy, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      await createContainer(amd64.socketPath, { name: 'history', start: false });
      const before = amd64.requests();
      const answer = await call(proxy, 'GET', '/v1.41/images/containers/history');
      expect(answer.status).toBe(404);
      expect(amd64.requests(), 'no probe reached the amd64 guest').toBe(before);
    },
  );

  clause(
    'HND-1',
    'treats DELETE /containers/json as a container named json, GET /containers/json as the list',
    async ({ use, onTestFinished, expect }) => {
      // Upstream 0.4.9 answered 405 for DELETE /containers/json (P-B1).
      const { proxy, amd64, native } = await startTwoRoleStack({ use, onTestFinished });
      await createContainer(amd64.socketPath, { name: 'json', start: false });
      await createContainer(native.socketPath, { name: 'listed', start: false });
      const list = await call(proxy, 'GET', '/v1.41/containers/json?all=1');
      expect(list.status).toBe(200);
      expect(list.json<{ Names: string[] }[]>().map((c) => c.Names[0])).toEqual(['/listed']);
      expect((await call(proxy, 'DELETE', '/v1.41/containers/json')).status).toBe(204);
      expect(await guestHas(amd64.socketPath, 'json')).toBe(false);
    },
  );

  clause(
    'HND-1',
    'reads the workload after any version prefix, or none',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, { name: 'versioned', platform: 'linux/amd64', start: false });
      for (const path of [
        '/v1.41/containers/versioned/json',
        '/containers/versioned/json',
        '/v1.24/containers/versioned/json',
      ]) {
        const answer = await call(proxy, 'GET', path);
        expect(answer.status, path).toBe(200);
        expect(answer.json<{ Id: string }>().Id, path).toBe(id);
      }
      expect(await guestHas(amd64.socketPath, id)).toBe(true);
    },
  );

  clause(
    'HND-7',
    'routes a recorded container by full ID, short ID and name',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, { name: 'known', platform: 'linux/amd64', start: false });
      const before = amd64.requests();
      for (const token of [id, id.slice(0, 12), id.slice(0, 5), 'known']) {
        expect((await call(proxy, 'GET', `/v1.41/containers/${token}/json`)).status, token).toBe(200);
      }
      // Recorded: exactly one guest request per lookup, no probes of other guests needed.
      expect(amd64.requests() - before).toBe(4);
    },
  );

  clause(
    'HND-8',
    'finds a container created directly on one guest and records it for later requests',
    async ({ use, onTestFinished, expect }) => {
      // Upstream probes only the native guest and records the raw token (P-A2).
      const { proxy, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(amd64.socketPath, { name: 'direct' });
      const byName = await call(proxy, 'GET', '/v1.41/containers/direct/json');
      expect(byName.status).toBe(200);
      expect(byName.json<{ Id: string }>().Id).toBe(id);
      const before = amd64.requests();
      expect((await call(proxy, 'GET', `/v1.41/containers/${id.slice(0, 12)}/json`)).status).toBe(200);
      expect(amd64.requests() - before, 'the canonical Id was recorded: no probe').toBe(1);
    },
  );

  clause('HND-8', 'refuses with 409 a name two guests both have', async ({ use, onTestFinished, expect }) => {
    const { proxy, native, amd64 } = await startTwoRoleStack({ use, onTestFinished });
    await createContainer(native.socketPath, { name: 'twin', start: false });
    await createContainer(amd64.socketPath, { name: 'twin', start: false });
    const answer = await call(proxy, 'GET', '/v1.41/containers/twin/json');
    expect(answer.status).toBe(409);
    expect(answer.json<{ message: string }>().message).toContain("'twin'");
  });

  clause(
    'HND-8',
    'sends an identifier no guest has to the default role',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      const answer = await call(proxy, 'GET', '/v1.41/containers/nobody/json');
      expect(answer.status).toBe(404);
      expect(answer.json<{ message: string }>().message).toMatch(/No such container: nobody/);
    },
  );

  clause(
    'HND-9',
    'routes exec inspect and start to the role of the exec’s container',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      await createContainer(proxy, { name: 'host', platform: 'linux/amd64' });
      const exec = await call(proxy, 'POST', '/v1.41/containers/host/exec', { body: { Cmd: ['true'] } });
      expect(exec.status).toBe(201);
      const execId = exec.json<{ Id: string }>().Id;
      expect((await call(proxy, 'GET', `/v1.41/exec/${execId}/json`)).status).toBe(200);
      const started = await call(proxy, 'POST', `/v1.41/exec/${execId}/start`, { body: { Detach: true } });
      expect(started.status).toBe(200);
      expect((await call(proxy, 'GET', '/v1.41/exec/0123456789abcdef/json')).status).toBe(404);
    },
  );

  clause(
    'HND-10',
    'commits on the guest that owns the named container',
    async ({ use, onTestFinished, expect }) => {
      // Upstream ignores ?container= and commits on native (P-B6).
      const { proxy, amd64, native } = await startTwoRoleStack({ use, onTestFinished });
      await createContainer(proxy, { name: 'snap', platform: 'linux/amd64', start: false });
      const answer = await call(proxy, 'POST', '/v1.41/commit?container=snap&repo=local%2Fsnap&tag=1');
      expect(answer.status).toBe(201);
      const tags = async (socket: string): Promise<string[]> =>
        (await call(socket, 'GET', '/v1.41/images/json'))
          .json<{ RepoTags: string[] | null }[]>()
          .flatMap((i) => i.RepoTags ?? []);
      expect(await tags(amd64.socketPath)).toContain('local/snap:1');
      expect(await tags(native.socketPath)).not.toContain('local/snap:1');
    },
  );

  clause(
    'HND-14',
    'returns the create answer and records the decoded name without its slash',
    async ({ use, onTestFinished, expect }) => {
      // Upstream records the raw, still-encoded name (A.4).
      const { proxy, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const answer = await call(
        proxy,
        'POST',
        '/v1.41/containers/create?name=%2Fslashed&platform=linux%2Famd64',
        {
          body: { Image: 'local/busybox:1', Cmd: ['true'] },
        },
      );
      expect(answer.status).toBe(201);
      expect(answer.text).toMatch(/^\{"Id":"[0-9a-f]{64}","Warnings":(null|\[\])\}\n$/);
      const before = amd64.requests();
      expect((await call(proxy, 'GET', '/v1.41/containers/slashed/json')).status).toBe(200);
      expect(amd64.requests() - before).toBe(1);
    },
  );

  clause(
    'HND-15',
    'follows a rename and forgets a removed container',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, { name: 'before', platform: 'linux/amd64', start: false });
      expect((await call(proxy, 'POST', '/v1.41/containers/before/rename?name=after')).status).toBe(204);
      const before = amd64.requests();
      expect((await call(proxy, 'GET', '/v1.41/containers/after/json')).status).toBe(200);
      expect(amd64.requests() - before, 'the new name was recorded').toBe(1);
      expect((await call(proxy, 'DELETE', '/v1.41/containers/after')).status).toBe(204);
      const gone = await call(proxy, 'GET', `/v1.41/containers/${id}/json`);
      expect(gone.status).toBe(404);
      expect(gone.json<{ message: string }>().message).toContain('No such container');
    },
  );

  clause(
    'HND-18',
    'forwards unknown routes to the default guest and never answers 405',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      for (const [method, path] of [
        ['GET', '/v1.41/no/such/route'],
        ['GET', '/v1.41/containers/abc/start'],
        ['PATCH', '/v1.41/containers/json'],
      ] as const) {
        const answer = await call(proxy, method, path);
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.json<{ message: string }>().message).toBe('page not found');
      }
    },
  );
});
