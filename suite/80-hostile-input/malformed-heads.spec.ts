import fc from 'fast-check';
import { describe } from 'vitest';
import { headNoiseArb } from '../support/arbitraries/http-head.js';
import { malformedHeadArb } from '../support/arbitraries/hostile-input.js';
import { clause } from '../harness/clause.js';
import { useLeakCheck } from '../support/leak-check.js';
import { profileRuns } from '../support/profile.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import {
  assertStillServing,
  HOSTILE_CORPUS,
  isDockerError,
  firstAnswer,
  sendAndFinish,
  sendExpectingClose,
  startHostileStack,
  type HostileStack,
} from './hostile-stack.js';

/** BAD-1: `bytes` get a 400 and a close, and nothing new reaches a guest. */
async function expectRefused(
  stack: HostileStack,
  bytes: string,
  name: string,
  halfClose = false,
): Promise<void> {
  const before = stack.received().length;
  const got = await sendExpectingClose(stack.proxy, bytes, { halfClose });
  const answer = firstAnswer(got);
  if (answer?.status !== 400) {
    throw new ClauseViolationError(`${name}: expected 400, got ${JSON.stringify(got.text.slice(0, 200))}`);
  }
  const reached = stack.received().slice(before);
  if (reached.length > 0) {
    throw new ClauseViolationError(`${name}: reached a guest as ${JSON.stringify(reached[0]?.requestLine)}`);
  }
}

describe('malformed request heads', () => {
  useLeakCheck();

  clause(
    'BAD-1',
    `answers 400 and closes for each unparseable head of the corpus (${HOSTILE_CORPUS.unparseable.length} cases)`,
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      for (const entry of HOSTILE_CORPUS.unparseable) {
        await expectRefused(stack, entry.bytes, entry.name, entry.halfClose === true);
        await assertStillServing(stack.proxy);
      }
      expect(stack.received().filter((request) => !request.requestLine.includes('/_ping'))).toEqual([]);
    },
  );

  clause(
    'BAD-1',
    'answers 400 with a Docker error for a CR injected into a header value',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      const got = await sendExpectingClose(
        stack.proxy,
        'GET /v1.41/info HTTP/1.1\r\nHost: berth\r\nX-A: one\rX-Injected: 1\r\n\r\n',
      );
      const answer = firstAnswer(got);
      expect(answer?.status).toBe(400);
      expect(answer !== undefined && isDockerError(answer), 'a {"message"} JSON body').toBe(true);
      expect(stack.received()).toEqual([]);
    },
  );

  clause(
    'BAD-1',
    'refuses every generated malformed head (property)',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      await fc.assert(
        fc.asyncProperty(malformedHeadArb, async (head) => {
          await expectRefused(stack, head, JSON.stringify(head));
        }),
        { numRuns: profileRuns(30) },
      );
      await assertStillServing(stack.proxy);
      expect(stack.received().map((request) => request.requestLine)).toEqual(['GET /_ping HTTP/1.1']);
    },
  );

  clause(
    'BAD-2',
    'refuses a head that grows past 1 MiB with a 4xx and a close',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      const filler = `X-Filler: ${'a'.repeat(1000)}\r\n`.repeat(1100);
      const got = await sendExpectingClose(
        stack.proxy,
        `GET /v1.41/info HTTP/1.1\r\nHost: berth\r\n${filler}`,
        {
          timeoutMs: 15_000,
        },
      );
      const status = firstAnswer(got)?.status ?? 0;
      expect(status, got.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(stack.received()).toEqual([]);
      await assertStillServing(stack.proxy);
    },
  );

  clause(
    'BAD-3',
    'refuses a 9 KiB head (a long target, then a long header) with 431 and a Docker error',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      const heads = [
        `GET /v1.41/containers/${'a'.repeat(9 * 1024)}/json HTTP/1.1\r\nHost: berth\r\n\r\n`,
        `GET /v1.41/info HTTP/1.1\r\nHost: berth\r\nX-Long: ${'b'.repeat(9 * 1024)}\r\n\r\n`,
      ];
      for (const head of heads) {
        const answer = firstAnswer(await sendExpectingClose(stack.proxy, head));
        expect([400, 431]).toContain(answer?.status);
        expect(answer !== undefined && isDockerError(answer), 'a {"message"} JSON body').toBe(true);
      }
      expect(stack.received()).toEqual([]);
      await assertStillServing(stack.proxy);
    },
  );

  clause(
    'BAD-11',
    'never answers byte soup with a 5xx and keeps serving (property)',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      await fc.assert(
        fc.asyncProperty(headNoiseArb, async (bytes) => {
          const got = await sendAndFinish(stack.proxy, bytes);
          const answer = firstAnswer(got);
          if (answer !== undefined && answer.status >= 500) {
            throw new ClauseViolationError(`answered ${answer.status}: ${answer.body}`);
          }
          await assertStillServing(stack.proxy);
        }),
        { numRuns: profileRuns(40) },
      );
      await assertStillServing(stack.proxy);
      expect(stack.received().length, 'the pings reached the default guest').toBeGreaterThan(0);
    },
  );
});
