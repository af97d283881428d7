import { clause } from '../harness/clause.js';
import type { Exchange } from './engine-client.js';
import {
  apiAtLeast,
  decodeStdcopy,
  describeEngineKinds,
  ENGINE_TIMEOUT,
  expectError,
  expectHijackHead,
  framesOf,
  MULTIPLEXED_STREAM,
  RAW_STREAM,
  streamType,
  type Engine,
} from './engine-kinds.js';

/** An RFC 3339 timestamp with nanoseconds and a space, then the line (logs?timestamps=1). */
const STAMPED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d) /;

/** A container that ran `script` to its end; its logs are complete. */
async function ranToEnd(
  engine: Engine,
  context: Parameters<Engine['create']>[0],
  script: string,
  tty = false,
): Promise<string> {
  const { id } = await engine.run(context, { cmd: ['sh', '-c', script], tty });
  await engine.waitExit(id);
  return id;
}

function attach(engine: Engine, id: string, upgrade: boolean, stdin = false): Promise<Exchange> {
  return engine.client.open({
    method: 'POST',
    path: `/containers/${id}/attach`,
    query: { stream: true, stdout: true, stderr: true, ...(stdin ? { stdin: true } : {}) },
    headers: [
      ['Content-Type', 'text/plain'],
      ...(upgrade
        ? ([
            ['Connection', 'Upgrade'],
            ['Upgrade', 'tcp'],
          ] as const)
        : []),
    ],
  });
}

describeEngineKinds('logs and attach', ({ kind, get }) => {
  clause(
    'DKR-18',
    `sends logs as stdcopy frames, one line each, on the stream asked for (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const id = await ranToEnd(engine, context, 'echo out; echo err >&2; echo two');
      const logs = (query: Record<string, boolean>) =>
        engine.request({ method: 'GET', path: `/containers/${id}/logs`, query });
      const both = await logs({ stdout: true, stderr: true });
      expect(both.status, 'logs?stdout=1&stderr=1').toBe(200);
      const type = both.header('content-type');
      // dockerd 20.10 (API 1.41) sends no Content-Type on logs; from 1.42 it is multiplexed-stream.
      if (apiAtLeast(engine.client.apiVersion, '1.42'))
        expect(type, 'Content-Type of logs').toBe(MULTIPLEXED_STREAM);
      else expect([undefined, RAW_STREAM], `Content-Type of logs: ${String(type)}`).toContain(type);
      const frames = decodeStdcopy(both.body, 'the logs body');
      expect(framesOf(frames, 'stdout'), 'stdout frames').toEqual(['out\n', 'two\n']);
      expect(framesOf(frames, 'stderr'), 'stderr frames').toEqual(['err\n']);
      expect(frames.length, 'no other frames').toBe(3);

      const stdout = decodeStdcopy((await logs({ stdout: true })).body, 'logs?stdout=1');
      expect(stdout, 'logs?stdout=1').toEqual([
        { stream: 'stdout', text: 'out\n' },
        { stream: 'stdout', text: 'two\n' },
      ]);
      const stderr = decodeStdcopy((await logs({ stderr: true })).body, 'logs?stderr=1');
      expect(stderr, 'logs?stderr=1').toEqual([{ stream: 'stderr', text: 'err\n' }]);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-18',
    `honours tail and timestamps (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const id = await ranToEnd(engine, context, 'echo one; echo two; echo three');
      const logs = async (query: Record<string, string | boolean>): Promise<string[]> => {
        const reply = await engine.request({ method: 'GET', path: `/containers/${id}/logs`, query });
        expect(reply.status, `logs ${JSON.stringify(query)}`).toBe(200);
        return framesOf(decodeStdcopy(reply.body, `logs ${JSON.stringify(query)}`), 'stdout');
      };
      expect(await logs({ stdout: true, tail: '2' }), 'tail=2').toEqual(['two\n', 'three\n']);
      expect(await logs({ stdout: true, tail: 'all' }), 'tail=all').toEqual(['one\n', 'two\n', 'three\n']);
      const stamped = await logs({ stdout: true, timestamps: true });
      expect(stamped.length, 'frames with timestamps').toBe(3);
      expect(
        stamped.map((line) => line.replace(STAMPED, '')),
        'each line after its RFC 3339 timestamp and a space',
      ).toEqual(['one\n', 'two\n', 'three\n']);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-18',
    `follows logs until the container exits (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.run(context, { cmd: ['sh', '-c', 'echo first; sleep 0.5; echo second'] });
      const follow = await engine.client.open({
        method: 'GET',
        path: `/containers/${id}/logs`,
        query: { stdout: true, follow: true },
      });
      expect(follow.head.status, 'logs?follow=1').toBe(200);
      await follow.waitFor((body) => body.includes('first\n'), 'the first line while the container runs');
      const body = await follow.untilEnd('the end of the followed logs after the exit', 10_000);
      expect(framesOf(decodeStdcopy(body, 'the followed logs'), 'stdout'), 'followed lines').toEqual([
        'first\n',
        'second\n',
      ]);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-18',
    `sends the logs of a TTY container raw (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const id = await ranToEnd(engine, context, 'echo tty', true);
      const reply = await engine.request({
        method: 'GET',
        path: `/containers/${id}/logs`,
        query: { stdout: true },
      });
      expect(reply.status, 'logs of a TTY container').toBe(200);
      // The terminal turns "\n" into "\r\n"; no stdcopy header comes first.
      expect(reply.text, 'raw TTY bytes').toBe('tty\r\n');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-18',
    `refuses neither stream, a bad since and an unknown container before any output (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = engine.idle;
      const neither = await engine.request({ method: 'GET', path: `/containers/${id}/logs` });
      expectError(expect, neither, 400, 'logs with neither stdout nor stderr');
      const since = await engine.request({
        method: 'GET',
        path: `/containers/${id}/logs`,
        query: { stdout: true, since: 'yesterday' },
      });
      // moby master: 400; dockerd 20.10: 500 (strconv.ParseInt).
      expectError(expect, since, [400, 500], 'logs?since=yesterday');
      const unknown = await engine.request({
        method: 'GET',
        path: `/containers/${engine.session.name('missing')}/logs`,
        query: { stdout: true },
      });
      expectError(expect, unknown, 404, 'logs of an unknown container');
    },
    ENGINE_TIMEOUT,
  );

  for (const upgrade of [true, false]) {
    clause(
      'DKR-19',
      `attaches ${upgrade ? 'with Upgrade: 101' : 'without Upgrade: 200 raw-stream'} and stdcopy frames (${kind})`,
      async (context) => {
        const { expect } = context;
        const engine = get(context);
        const { id } = await engine.create(context, { cmd: ['sh', '-c', 'echo out; echo err >&2'] });
        const hijack = await attach(engine, id, upgrade);
        expectHijackHead(expect, hijack, upgrade, streamType(engine.client.apiVersion, false));
        await engine.expectStatus({ method: 'POST', path: `/containers/${id}/start` }, 204);
        // The CLI half-closes a hijack it has no stdin for (docker-cli-traffic.md 5.3.1).
        if (upgrade) hijack.halfClose();
        const frames = decodeStdcopy(
          await hijack.untilEnd('the end of the attach stream'),
          'the attach stream',
        );
        expect(framesOf(frames, 'stdout'), 'stdout frames').toEqual(['out\n']);
        expect(framesOf(frames, 'stderr'), 'stderr frames').toEqual(['err\n']);
      },
      ENGINE_TIMEOUT,
    );
  }

  clause(
    'DKR-19',
    `carries stdin to the container through the attach (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.create(context, { cmd: ['cat'], stdin: true });
      const hijack = await attach(engine, id, true, true);
      expectHijackHead(expect, hijack, true, streamType(engine.client.apiVersion, false));
      await engine.expectStatus({ method: 'POST', path: `/containers/${id}/start` }, 204);
      hijack.write('hello through attach\n');
      hijack.halfClose();
      const frames = decodeStdcopy(
        await hijack.untilEnd('the end of the attach after stdin closed'),
        'the attach',
      );
      expect(framesOf(frames, 'stdout').join(''), 'what cat echoed').toBe('hello through attach\n');
      expect(await engine.waitExit(id), 'exit code of cat after stdin closed').toBe(0);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-19',
    `answers an unknown container with a 404 head and the message, never a 101 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const missing = engine.session.name('missing');
      const exchange = await attach(engine, missing, true);
      const body = await exchange.untilEnd('the end of the refused attach');
      expect(exchange.head.status, 'attach to an unknown container').toBe(404);
      // dockerd writes this head itself after hijacking (Content-Type of the stream, no length)
      // and the message as text; a JSON error would do as well.
      expect(body.toString(), 'the refusal').toContain(`No such container: ${missing}`);
    },
    ENGINE_TIMEOUT,
  );
});
