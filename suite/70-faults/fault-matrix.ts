import { describe, type ExpectStatic } from 'vitest';
import type { ClauseId } from '../clauses/index.js';
import { clause, type ClauseContext } from '../harness/clause.js';
import { startFaultyGuest, type FaultyGuest, type GuestFault } from '../support/faulty-guest.js';
import { useLeakCheck } from '../support/leak-check.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import { FaultClient } from './fault-client.js';
import { REQUEST_CLASSES, type RequestClass } from './request-classes.js';

/** The proxy's handshake deadline in this area (upgrades, and each lazy-rebuild probe). */
export const HANDSHAKE_MS = 600;
/** "Promptly": how long after a fault the client may wait for the proxy's answer or close. */
export const PROMPT_MS = 2000;
/** How long a stalled ordinary request is watched before the client gives up. */
const STALL_WATCH_MS = 300;

/** What the client must see in one cell. */
type Outcome =
  /** A Docker error with this status, promptly. */
  | { readonly kind: 'docker-error'; readonly status: number; readonly withinMs: number }
  /** The healthy answer, whole. */
  | { readonly kind: 'whole' }
  /** The answer head and the first body piece, then a close, never a complete-looking answer. */
  | { readonly kind: 'truncated' }
  /** The 101 and the first stream piece, then a close. */
  | { readonly kind: 'cut-stream' }
  /** No deadline: nothing or a 504; once the client leaves, the guest connection is closed. */
  | { readonly kind: 'client-gives-up' };

/** One row of the matrix: a guest fault, the clause it checks and what each class must see. */
export interface FaultRow {
  readonly fault: GuestFault;
  readonly clause: ClauseId;
  /** The test title before ` (<class>)`, after `[ID] LEVEL`. */
  readonly title: string;
  /** Undefined: the cell does not exist (for example a mid-stream reset of a plain request). */
  readonly outcome: (requestClass: RequestClass) => Outcome | undefined;
}

const isUpgrade = (requestClass: RequestClass): boolean => requestClass.name === 'upgrade';
const error502: Outcome = { kind: 'docker-error', status: 502, withinMs: PROMPT_MS };

/** The fault matrix: every guest fault against every request class it applies to. */
export const FAULT_ROWS: readonly FaultRow[] = [
  {
    fault: 'refuse',
    clause: 'FLT-1',
    title: 'answer a 502 Docker error when nothing listens on the guest',
    outcome: () => error502,
  },
  {
    fault: 'answer-delay',
    clause: 'FLT-2',
    title: 'relay a late guest answer whole',
    outcome: () => ({ kind: 'whole' }),
  },
  {
    fault: 'reset-before-head',
    clause: 'FLT-3',
    title: 'answer a 502 Docker error when the guest drops the connection before answering',
    outcome: () => error502,
  },
  {
    fault: 'reset-mid-body',
    clause: 'FLT-4',
    title: 'close the client connection when the guest drops it mid-body',
    outcome: (requestClass) => (isUpgrade(requestClass) ? undefined : { kind: 'truncated' }),
  },
  {
    fault: 'reset-mid-stream',
    clause: 'FLT-5',
    title: 'close the client connection when the guest drops an upgraded stream',
    outcome: (requestClass) => (isUpgrade(requestClass) ? { kind: 'cut-stream' } : undefined),
  },
  {
    fault: 'answer-stall',
    clause: 'FLT-6',
    title: 'answer 504 or let the client give up when the guest never answers',
    outcome: (requestClass) =>
      isUpgrade(requestClass)
        ? { kind: 'docker-error', status: 504, withinMs: HANDSHAKE_MS + PROMPT_MS }
        : { kind: 'client-gives-up' },
  },
  {
    fault: 'garbage-answer',
    clause: 'FLT-7',
    title: 'answer a 502 Docker error when the guest answers garbage',
    outcome: () => error502,
  },
  {
    fault: 'fin-before-answer',
    clause: 'FLT-8',
    title: 'answer a 502 Docker error when the guest ends its side before answering',
    outcome: () => error502,
  },
];

/** The cells of the matrix (rows × classes, where the cell exists). */
export function matrixCells(): { row: FaultRow; requestClass: RequestClass; outcome: Outcome }[] {
  return FAULT_ROWS.flatMap((row) =>
    REQUEST_CLASSES.flatMap((requestClass) => {
      const outcome = row.outcome(requestClass);
      return outcome === undefined ? [] : [{ row, requestClass, outcome }];
    }),
  );
}

/** DKR-3: a whole answer with `status`, `Content-Type: application/json` and `{"message": string}`. */
function expectDockerError(client: FaultClient, status: number, expect: ExpectStatic): void {
  const answer = client.answer;
  expect(answer?.status, 'status of the answer').toBe(status);
  expect(answer?.complete, 'the answer is whole').toBe(true);
  expect(answer?.header('content-type') ?? '', 'Content-Type').toMatch(/^application\/json/);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer?.body.toString('utf8') ?? '');
  } catch {
    throw new ClauseViolationError(`the error body is not JSON: ${JSON.stringify(answer?.raw.toString())}`);
  }
  expect(typeof (parsed as { message?: unknown }).message, 'a {"message": ...} body').toBe('string');
}

async function checkOutcome(
  outcome: Outcome,
  requestClass: RequestClass,
  client: FaultClient,
  guest: FaultyGuest,
  expect: ExpectStatic,
): Promise<void> {
  const firstPiece = requestClass.answer.pieces[0] ?? '';
  switch (outcome.kind) {
    case 'docker-error':
      await client.settled(outcome.withinMs);
      expectDockerError(client, outcome.status, expect);
      return;
    case 'whole': {
      if (isUpgrade(requestClass)) {
        await client.until(
          () => (client.answer?.raw.length ?? 0) >= firstPiece.length,
          'the 101 and the first stream bytes',
          PROMPT_MS,
        );
        client.send('ping\n');
        await client.until(
          () => client.answer?.raw.toString('latin1') === requestClass.expected.body,
          'the stream echoed back',
          PROMPT_MS,
        );
        client.socket.end();
        await client.until(() => client.finished, 'the end of the upgraded stream', PROMPT_MS);
      } else {
        await client.until(() => client.answer?.complete === true, 'the whole answer', PROMPT_MS);
      }
      const answer = client.answer;
      expect(answer?.status, 'status of the answer').toBe(requestClass.expected.status);
      expect(answer?.body.toString('latin1'), 'the answer body').toBe(requestClass.expected.body);
      return;
    }
    case 'truncated': {
      await client.until(() => client.finished, 'the proxy to close the connection', PROMPT_MS);
      const answer = client.answer;
      expect(answer?.status, 'status of the relayed head').toBe(requestClass.expected.status);
      expect(answer?.complete, 'a truncated answer that looks complete').toBe(false);
      const relayed = answer?.body.toString('latin1') ?? '';
      const sentFirst = /chunked/i.test(requestClass.answer.head)
        ? firstPiece.slice(firstPiece.indexOf('\r\n') + 2, -2)
        : firstPiece;
      expect(relayed, 'the body relayed before the break').toBe(sentFirst);
      return;
    }
    case 'cut-stream': {
      await client.until(() => client.finished, 'the proxy to close the connection', PROMPT_MS);
      const answer = client.answer;
      expect(answer?.status, 'status of the relayed head').toBe(101);
      expect(answer?.raw.toString('latin1'), 'the stream bytes relayed before the break').toBe(firstPiece);
      return;
    }
    case 'client-gives-up': {
      await guest.faulted(PROMPT_MS);
      // No deadline applies: the proxy may keep waiting, or answer 504.
      await client
        .until(() => client.answer?.complete === true || client.finished, 'nothing', STALL_WATCH_MS)
        .catch(() => undefined);
      if (client.answer === undefined) {
        expect(client.finished, 'the proxy closed the client connection without an answer').toBe(false);
      } else {
        expectDockerError(client, 504, expect);
      }
      client.destroy();
      return;
    }
  }
}

/** One cell: a faulty guest behind the target's proxy, the class's request, then the checks. */
async function runCell(
  context: ClauseContext,
  row: FaultRow,
  requestClass: RequestClass,
  outcome: Outcome,
): Promise<void> {
  const { expect } = context;
  const facet = context.use('proxy');
  const guest = await startFaultyGuest({
    answer: (request) => (requestClass.matches(request) ? requestClass.answer : undefined),
  });
  context.onTestFinished(() => guest.close());
  const proxy = await facet.start({
    roles: [{ role: 'native', guest: guest.socketPath, platforms: ['linux/arm64'] }],
    defaultRole: 'native',
    handshakeTimeoutMs: HANDSHAKE_MS,
  });
  context.onTestFinished(() => proxy[Symbol.asyncDispose]());

  await guest.arm(row.fault, requestClass.matches);
  const client = await FaultClient.open(proxy.socketPath);
  context.onTestFinished(() => client.destroy());
  for (const piece of requestClass.request) client.send(piece);
  await checkOutcome(outcome, requestClass, client, guest, expect);
  client.destroy();

  // The proxy lets go of the guest, and keeps serving.
  await guest.recover();
  await guest.drained(PROMPT_MS);
  const ping = await FaultClient.open(proxy.socketPath);
  context.onTestFinished(() => ping.destroy());
  ping.send('GET /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: close\r\n\r\n');
  await ping.until(() => ping.answer?.complete === true, 'the answer to GET /_ping', PROMPT_MS);
  expect(ping.answer?.status, 'GET /_ping after the fault').toBe(200);
  ping.destroy();
}

/** Declares the cells of one matrix row: `[FLT-n] MUST <title> (<class>)`, one test per class. */
export function defineFaultRow(fault: GuestFault): void {
  const cells = matrixCells().filter((cell) => cell.row.fault === fault);
  const row = cells[0]?.row;
  if (row === undefined) throw new Error(`no cells for fault '${fault}'`);
  describe(`FLT: ${fault}`, () => {
    useLeakCheck();
    for (const { requestClass, outcome } of cells) {
      clause(row.clause, `${row.title} (${requestClass.name})`, (context) =>
        runCell(context, row, requestClass, outcome),
      );
    }
  });
}
