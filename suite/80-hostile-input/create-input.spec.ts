import fc from 'fast-check';
import { describe } from 'vitest';
import { hostileNameArb, hostilePlatformArb } from '../support/arbitraries/hostile-input.js';
import { clause } from '../harness/clause.js';
import { useLeakCheck } from '../support/leak-check.js';
import { profileRuns } from '../support/profile.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import {
  call,
  createContainer,
  guestHas,
  IMAGE,
  startTwoRoleStack,
  type TwoRoleStack,
} from '../harness/proxy-client.js';
import { assertStillServing, HOSTILE_CORPUS } from './hostile-stack.js';

/** How many containers the guests hold between them. */
async function containerCount(stack: TwoRoleStack): Promise<number> {
  let total = 0;
  for (const guest of [stack.native, stack.amd64]) {
    total += (await call(guest.socketPath, 'GET', '/v1.41/containers/json?all=1')).json<unknown[]>().length;
  }
  return total;
}

/**
 * A create that must be refused with a Docker error and create nothing; a 4xx unless `guestError`
 * allows a guest's own 5xx relayed (dockerd 20.10 answers a truncated JSON body with 500).
 */
async function expectRefusedCreate(
  stack: TwoRoleStack,
  query: string,
  body: string | object,
  what: string,
  guestError = false,
): Promise<void> {
  const answer = await call(stack.proxy, 'POST', `/v1.41/containers/create${query}`, {
    body,
    headers: { 'content-type': 'application/json' },
  });
  let message: unknown;
  try {
    message = answer.json<{ message?: unknown }>().message;
  } catch {
    message = undefined;
  }
  const ceiling = guestError ? 600 : 500;
  if (
    answer.status < 400 ||
    answer.status >= ceiling ||
    answer.status === 501 ||
    typeof message !== 'string'
  ) {
    throw new ClauseViolationError(
      `${what}: expected a 4xx Docker error, got ${answer.status} ${answer.text}`,
    );
  }
  const count = await containerCount(stack);
  if (count !== 0)
    throw new ClauseViolationError(
      `${what}: answered ${answer.status} yet the guests hold ${count} containers`,
    );
}

const INVALID_JSON = [
  '{',
  'not json',
  '{"Image": }',
  `{"Image":"${IMAGE}",}`,
  `{"Image":'${IMAGE}'}`,
  '\u0000',
];

describe('hostile create input', () => {
  useLeakCheck();

  clause(
    'BAD-8',
    'answers a create whose body is not JSON with a Docker error, creates nothing, and routes on',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startTwoRoleStack({ use, onTestFinished });
      for (const body of INVALID_JSON) {
        await expectRefusedCreate(stack, '', body, JSON.stringify(body), true);
        await expectRefusedCreate(
          stack,
          '?platform=linux%2Famd64&name=bad-json',
          body,
          `amd64 ${JSON.stringify(body)}`,
          true,
        );
      }
      const id = await createContainer(stack.proxy, {
        name: 'bad-json',
        platform: 'linux/amd64',
        start: false,
      });
      expect(await guestHas(stack.amd64.socketPath, id), 'a valid create still lands on amd64').toBe(true);
      expect((await call(stack.proxy, 'GET', '/v1.41/containers/bad-json/json')).status).toBe(200);
    },
  );

  clause(
    'BAD-9',
    `answers each bogus platform of the corpus (and a 10 KiB one) with a 4xx, creating nothing (${HOSTILE_CORPUS.platforms.length + 1} cases)`,
    async ({ use, onTestFinished, expect }) => {
      const stack = await startTwoRoleStack({ use, onTestFinished });
      for (const platform of [...HOSTILE_CORPUS.platforms, `linux/${'amd64'.repeat(2048)}`]) {
        const query = `?platform=${encodeURIComponent(platform)}`;
        await expectRefusedCreate(
          stack,
          query,
          { Image: IMAGE, Cmd: ['true'] },
          JSON.stringify(platform.slice(0, 40)),
        );
      }
      await assertStillServing(stack.proxy);
      expect(await containerCount(stack)).toBe(0);
    },
  );

  clause(
    'BAD-9',
    'answers generated bogus platforms with a 4xx, creating nothing (property)',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startTwoRoleStack({ use, onTestFinished });
      await fc.assert(
        fc.asyncProperty(hostilePlatformArb, (platform) =>
          expectRefusedCreate(
            stack,
            `?platform=${encodeURIComponent(platform)}`,
            { Image: IMAGE },
            JSON.stringify(platform),
          ),
        ),
        { numRuns: profileRuns(20) },
      );
      expect(await containerCount(stack)).toBe(0);
    },
  );

  clause(
    'BAD-10',
    `answers each name outside Docker's grammar with a 4xx and routes no such name (${HOSTILE_CORPUS.names.length} cases)`,
    async ({ use, onTestFinished, expect }) => {
      const stack = await startTwoRoleStack({ use, onTestFinished });
      for (const name of HOSTILE_CORPUS.names) {
        const encoded = encodeURIComponent(name);
        await expectRefusedCreate(
          stack,
          `?name=${encoded}&platform=linux%2Famd64`,
          { Image: IMAGE },
          JSON.stringify(name),
        );
        const lookup = await call(stack.proxy, 'GET', `/v1.41/containers/${encoded}/json`);
        // 404, or Go's 301 to the cleaned path for a name with dot segments: never a container.
        expect([301, 400, 404], `${JSON.stringify(name)} is no container: ${lookup.text}`).toContain(
          lookup.status,
        );
      }
      await assertStillServing(stack.proxy);
    },
  );

  clause(
    'BAD-10',
    'answers generated bad names with a 4xx, creating nothing (property)',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startTwoRoleStack({ use, onTestFinished });
      await fc.assert(
        fc.asyncProperty(hostileNameArb, (name) =>
          expectRefusedCreate(
            stack,
            `?name=${encodeURIComponent(name)}`,
            { Image: IMAGE },
            JSON.stringify(name),
          ),
        ),
        { numRuns: profileRuns(20) },
      );
      expect(await containerCount(stack)).toBe(0);
    },
  );
});
