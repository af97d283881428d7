import { stat } from 'node:fs/promises';
import { describe } from 'vitest';
import { clause } from '../harness/clause.js';
import { startSimulatedGuest } from '../support/guests.js';
import { useLeakCheck } from '../support/leak-check.js';
import { call, createContainer, guestHas, IMAGE, startTwoRoleStack } from '../harness/proxy-client.js';
import { startHostileStack } from './hostile-stack.js';

const messageOf = (text: string): unknown => {
  try {
    return (JSON.parse(text) as { message?: unknown }).message;
  } catch {
    return undefined;
  }
};

describe('proxy security', () => {
  useLeakCheck();

  clause(
    'BAD-12',
    'serves the Docker API on a unix socket of mode 0600',
    async ({ use, onTestFinished, expect }) => {
      const facet = use('proxy');
      const guest = await startSimulatedGuest({ name: 'native', architecture: 'arm64' });
      onTestFinished(() => guest.close());
      const running = await facet.start({
        roles: [{ role: 'native', guest: guest.socketPath, platforms: ['linux/arm64'] }],
        defaultRole: 'native',
      });
      onTestFinished(() => running[Symbol.asyncDispose]());
      const info = await stat(running.socketPath);
      expect(info.isSocket(), `${running.socketPath} is a socket`).toBe(true);
      expect((info.mode & 0o777).toString(8), 'owner read/write only').toBe('600');
    },
  );

  clause(
    'BAD-13',
    'answers destructive requests for a workload no guest has with 404, touching nothing',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startTwoRoleStack({ use, onTestFinished });
      const victim = await createContainer(stack.proxy, { name: 'victim', platform: 'linux/amd64' });
      const requests: [string, string][] = [
        ['DELETE', '/v1.41/containers/nobody?force=1'],
        ['POST', '/v1.41/containers/nobody/kill'],
        ['POST', '/v1.41/containers/nobody/stop?t=0'],
        ['DELETE', `/v1.41/containers/${victim.slice(0, 12)}0000?force=1`],
      ];
      for (const [method, path] of requests) {
        const answer = await call(stack.proxy, method, path);
        expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(404);
        expect(typeof messageOf(answer.text), 'a {"message"} body').toBe('string');
      }
      const inspected = await call(stack.amd64.socketPath, 'GET', `/v1.41/containers/${victim}/json`);
      expect(inspected.json<{ State: { Running: boolean } }>().State.Running, 'the victim still runs').toBe(
        true,
      );
    },
  );

  clause(
    'BAD-13',
    'refuses with 409 a destructive request for a name two roles have, removing neither',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startTwoRoleStack({ use, onTestFinished });
      const onNative = await createContainer(stack.native.socketPath, { name: 'twin' });
      const onAmd64 = await createContainer(stack.amd64.socketPath, { name: 'twin' });
      for (const [method, path] of [
        ['DELETE', '/v1.41/containers/twin?force=1'],
        ['POST', '/v1.41/containers/twin/kill'],
      ] as const) {
        const answer = await call(stack.proxy, method, path);
        expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(409);
        expect(typeof messageOf(answer.text), 'a {"message"} body').toBe('string');
      }
      expect(await guestHas(stack.native.socketPath, onNative)).toBe(true);
      expect(await guestHas(stack.amd64.socketPath, onAmd64)).toBe(true);
    },
  );

  clause(
    'BAD-14',
    'answers a create for a platform no role runs with 501, reaching no guest',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      for (const platform of ['linux/arm/v7', 'windows/amd64', 'linux/s390x', 'linux/riscv64']) {
        const answer = await call(
          stack.proxy,
          'POST',
          `/v1.41/containers/create?platform=${encodeURIComponent(platform)}`,
          {
            body: { Image: IMAGE, Cmd: ['true'] },
          },
        );
        expect(answer.status, `${platform}: ${answer.text}`).toBe(501);
        expect(typeof messageOf(answer.text), 'a {"message"} body').toBe('string');
      }
      expect(stack.received().map((request) => request.requestLine)).toEqual([]);
    },
  );
});
