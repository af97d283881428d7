import fc from 'fast-check';
import { describe } from 'vitest';
import { hostileIdRequestArb, type HostileRequestLine } from '../support/arbitraries/hostile-input.js';
import { clause } from '../harness/clause.js';
import type { GuestRequest } from '../support/http/scripted-guest.js';
import { useLeakCheck } from '../support/leak-check.js';
import { profileRuns } from '../support/profile.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import { startTwoRoleStack } from '../harness/proxy-client.js';
import {
  assertStillServing,
  HOSTILE_CORPUS,
  isDockerError,
  firstAnswer,
  sendExpectingClose,
  startHostileStack,
  type RawAnswer,
} from './hostile-stack.js';

/** A read-only lookup of one workload ID, as one encoded path segment. */
const LOOKUP = /^GET (\/v[0-9.]+)?\/(containers|exec)\/[^/?#]+\/json HTTP\/1\.1$/;

const methodFor = (target: string): string => (/\/(start|kill|stop)(\?|$)/.test(target) ? 'POST' : 'GET');

async function send(proxy: string, line: HostileRequestLine): Promise<RawAnswer> {
  const got = await sendExpectingClose(
    proxy,
    `${line.method} ${line.target} HTTP/1.1\r\nHost: berth\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
  );
  const answer = firstAnswer(got);
  if (answer === undefined) {
    throw new ClauseViolationError(
      `${line.method} ${line.target}: no answer, only ${JSON.stringify(got.text)}`,
    );
  }
  return answer;
}

/** BAD-7: what reached the guests is the request byte for byte (at most once) or lookups of one segment. */
function assertNotRewritten(line: HostileRequestLine, reached: readonly GuestRequest[]): void {
  const exact = `${line.method} ${line.target} HTTP/1.1`;
  const forwarded = reached.filter((request) => request.requestLine === exact);
  const other = reached.filter(
    (request) => request.requestLine !== exact && !LOOKUP.test(request.requestLine),
  );
  // When the request is itself a lookup (`GET /containers/json/json` inspects a container called
  // json), the proxy's probes for the ID are the same line as the forward: any number is read-only.
  if (other.length > 0 || (forwarded.length > 1 && !LOOKUP.test(exact))) {
    throw new ClauseViolationError(
      `${exact}: guests received ${JSON.stringify(reached.map((request) => request.requestLine))}`,
    );
  }
}

/** BAD-7 against the scripted guests (they answer every workload 404): a 4xx Docker error comes back. */
async function checkScripted(
  stack: Awaited<ReturnType<typeof startHostileStack>>,
  line: HostileRequestLine,
): Promise<void> {
  const before = stack.received().length;
  const answer = await send(stack.proxy, line);
  assertNotRewritten(line, stack.received().slice(before));
  if (answer.status < 400 || answer.status >= 500 || !isDockerError(answer)) {
    throw new ClauseViolationError(`${line.method} ${line.target}: answered ${answer.status} ${answer.body}`);
  }
}

describe('hostile paths and IDs', () => {
  useLeakCheck();

  clause(
    'BAD-7',
    `forwards tricky IDs and paths unchanged or not at all (${HOSTILE_CORPUS.paths.length} corpus targets)`,
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      for (const target of HOSTILE_CORPUS.paths) {
        await checkScripted(stack, { method: methodFor(target), target });
      }
      await assertStillServing(stack.proxy);
      expect(stack.received().length, 'the requests reached the guests').toBeGreaterThan(0);
    },
  );

  clause(
    'BAD-7',
    'answers tricky IDs with no 2xx and no 5xx in front of real-behaving guests',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      for (const target of HOSTILE_CORPUS.paths.filter((path) => /\/(containers|exec)\/[^/]+\//.test(path))) {
        const answer = await send(proxy, { method: methodFor(target), target });
        // The guest's answer is relayed as it is: Go answers a bad escape with a plain-text 400 and
        // a path with dot segments with a 301 to the cleaned path.
        expect(answer.status, `${target}: ${answer.body}`).toBeGreaterThanOrEqual(300);
        expect(answer.status, `${target}: ${answer.body}`).toBeLessThan(500);
      }
      await assertStillServing(proxy);
    },
  );

  clause(
    'BAD-7',
    'forwards generated hostile IDs unchanged or not at all (property)',
    async ({ use, onTestFinished, expect }) => {
      const stack = await startHostileStack({ use, onTestFinished });
      await fc.assert(
        fc.asyncProperty(hostileIdRequestArb, (line) => checkScripted(stack, line)),
        { numRuns: profileRuns(40) },
      );
      await assertStillServing(stack.proxy);
      expect(stack.received().length).toBeGreaterThan(0);
    },
  );
});
