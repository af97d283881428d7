import { describe } from 'vitest';
import { clause } from '../harness/clause.js';
import { useLeakCheck } from '../support/leak-check.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import {
  assertStillServing,
  HOSTILE_CORPUS,
  mentioning,
  firstAnswer,
  sendExpectingClose,
  SMUGGLED,
  SMUGGLED_REQUEST,
  startHostileStack,
} from './hostile-stack.js';

const CHUNKED_CREATE =
  'POST /v1.41/containers/create HTTP/1.1\r\nHost: berth\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';

describe('hostile body framing', () => {
  useLeakCheck();

  clause(
    'BAD-4',
    `never lets a request hidden behind Content-Length with Transfer-Encoding reach a guest (${HOSTILE_CORPUS.smuggling.length} cases)`,
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      for (const entry of HOSTILE_CORPUS.smuggling) {
        const before = stack.received().length;
        // The smuggled request follows on the same connection; the proxy must close before it.
        const got = await sendExpectingClose(stack.proxy, entry.bytes + SMUGGLED_REQUEST);
        const answers = got.text.match(/^HTTP\/1\.[01] \d{3}/gm) ?? [];
        const first = firstAnswer(got);
        if (first === undefined || first.status >= 500 || answers.length !== 1) {
          throw new ClauseViolationError(
            `${entry.name}: expected one answer below 500 then a close, got ${JSON.stringify(got.text.slice(0, 300))}`,
          );
        }
        const reached = stack.received().slice(before);
        expect(mentioning(reached, SMUGGLED), `${entry.name}: the smuggled request reached a guest`).toEqual(
          [],
        );
        // Refused (4xx): nothing at all reached a guest; served: exactly the create, by its chunked body.
        if (first.status >= 400) expect(reached, entry.name).toEqual([]);
        else
          expect(
            reached.map((request) => request.body.length),
            entry.name,
          ).toEqual([0]);
        await assertStillServing(stack.proxy);
      }
    },
  );

  clause(
    'BAD-5',
    `refuses a body of unknowable length with a 4xx and a close (${HOSTILE_CORPUS.framing.length} cases)`,
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      for (const entry of HOSTILE_CORPUS.framing) {
        const got = await sendExpectingClose(stack.proxy, entry.bytes + SMUGGLED_REQUEST);
        const status = firstAnswer(got)?.status ?? 0;
        const refused = (status >= 400 && status < 500) || status === 501;
        expect(refused, `${entry.name}: answered ${JSON.stringify(got.text.slice(0, 200))}`).toBe(true);
        expect(stack.received(), `${entry.name}: nothing reaches a guest`).toEqual([]);
      }
      await assertStillServing(stack.proxy);
    },
  );

  clause(
    'BAD-6',
    `never delivers a chunked body with a bad chunk size, nor what follows it (${HOSTILE_CORPUS.badChunks.length} cases)`,
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      for (const entry of HOSTILE_CORPUS.badChunks) {
        const before = stack.received().length;
        const got = await sendExpectingClose(stack.proxy, CHUNKED_CREATE + entry.chunks + SMUGGLED_REQUEST);
        const answer = firstAnswer(got);
        if (answer !== undefined && (answer.status < 400 || answer.status >= 500)) {
          throw new ClauseViolationError(
            `${entry.name}: expected a 4xx or a bare close, got ${JSON.stringify(got.text.slice(0, 200))}`,
          );
        }
        expect(stack.received().slice(before), `${entry.name}: reached a guest complete`).toEqual([]);
        await assertStillServing(stack.proxy);
      }
      expect(mentioning(stack.received(), SMUGGLED)).toEqual([]);
    },
  );
});
