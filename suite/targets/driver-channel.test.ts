import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeNotFoundError } from '../../protocol/runtime-errors.js';
import { eventually } from '../support/poll.js';
import { DriverChannel, type DriverChannelOptions, type DriverExchange } from './driver-channel.js';
import { DriverClosedError } from './driver-errors.js';
import { linePipes } from './driver-pipes.test-helper.js';

const channels: DriverChannel[] = [];

afterEach(() => {
  for (const channel of channels.splice(0)) channel.close(new DriverClosedError('test over'));
});

/** A channel played by hand: `feed` is what the driver writes, `sent` the lines the suite wrote. */
function wired(options: Partial<DriverChannelOptions> = {}): {
  channel: DriverChannel;
  feed: (text: string | Buffer) => void;
  input: PassThrough;
  sent: string[];
} {
  const { input, output, sent } = linePipes();
  const channel = new DriverChannel({ input, output, ...options });
  channels.push(channel);
  return { channel, feed: (text) => input.write(text), input, sent };
}

const sentMessage = (sent: string[], index: number): Record<string, unknown> =>
  JSON.parse(sent[index]!) as Record<string, unknown>;

/** Polls until `condition` holds, with a generous deadline. */
const until = async (condition: () => boolean): Promise<void> => {
  await eventually(condition, { description: 'the channel to write or read' });
};

describe('DriverChannel requests (docs/driver-protocol.md §3)', () => {
  it('numbers its requests from 1 and matches answers that come in any order', async () => {
    const { channel, feed, sent } = wired();
    const first = channel.request('registry.create', {});
    const second = channel.request('registry.lookup', { handle: 'r1', id: 'a\nb' });
    await until(() => sent.length === 2);
    expect(sent.map((line) => JSON.parse(line) as unknown)).toEqual([
      { id: 1, op: 'registry.create', args: {} },
      { id: 2, op: 'registry.lookup', args: { handle: 'r1', id: 'a\nb' } },
    ]);
    feed('{"id":2,"ok":true,"result":"second"}\n{"id":1,"ok":true,"result":"first"}\n');
    await expect(Promise.all([first, second])).resolves.toEqual(['first', 'second']);
    expect(channel.pendingCount).toBe(0);
  });

  it('rebuilds an error answer as the runtime error its code names', async () => {
    const { channel, feed } = wired();
    const call = channel.request('dispatch.call', {});
    feed(
      '{"id":1,"ok":false,"error":{"code":"ERR_RUNTIME_NOT_FOUND","message":"m","details":{"container":"web","reason":"gone"}}}\n',
    );
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeNotFoundError);
    expect(error).toMatchObject({ container: 'web', reason: 'gone' });
  });

  it('fails every waiting request on an answer for an id nobody waits for, and closes', async () => {
    const { channel, feed } = wired();
    const waiting = [channel.request('a', {}), channel.request('b', {})];
    const line = '{"id":7,"ok":true,"result":1}';
    feed(`${line}\n`);
    for (const request of waiting) {
      await expect(request).rejects.toMatchObject({ code: 'ERR_DRIVER_MALFORMED_LINE', line });
    }
    await expect(channel.request('c', {})).rejects.toMatchObject({ code: 'ERR_DRIVER_MALFORMED_LINE' });
    await expect(channel.closed).resolves.toMatchObject({ code: 'ERR_DRIVER_MALFORMED_LINE' });
  });

  it.each([
    ['not JSON', 'Traceback (most recent call last):'],
    ['a JSON value that is not an object', '42'],
    ['no id', '{"ok":true}'],
  ])('fails on a malformed line (%s), naming it, with the stderr tail', async (_what, line) => {
    const { channel, feed } = wired({ stderrTail: () => 'boom on stderr' });
    const waiting = channel.request('a', {});
    feed(`${line}\n`);
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DRIVER_MALFORMED_LINE', line, stderrTail: 'boom on stderr' });
  });

  it('fails on an over-long line as soon as it outgrows the cap, without waiting for its end', async () => {
    const { channel, feed } = wired({ maxLineBytes: 100 });
    const waiting = channel.request('a', {});
    for (let i = 0; i < 11; i += 1) feed('x'.repeat(10));
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_DRIVER_LINE_TOO_LONG', limit: 100 });
  });

  it('times a request out and drops its late answer without closing', async () => {
    const { channel, feed, sent } = wired({ timeoutMs: 20 });
    await expect(channel.request('registry.lookup', {})).rejects.toMatchObject({
      code: 'ERR_DRIVER_TIMEOUT',
      op: 'registry.lookup',
      requestId: 1,
      timeoutMs: 20,
    });
    feed('{"id":1,"ok":true,"result":"late"}\n');
    const next = channel.request('b', {}, { timeoutMs: 0 });
    await until(() => sent.length === 2);
    feed('{"id":2,"ok":true,"result":"on time"}\n');
    await expect(next).resolves.toBe('on time');
    expect(channel.closeReason).toBeUndefined();
  });

  it('closes when the driver’s stdout ends, or hands that to its owner', async () => {
    const plain = wired();
    const waiting = plain.channel.request('a', {});
    plain.input.end();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_DRIVER_CLOSED' });

    const ends: Error[] = [];
    const owned = wired({ onTransportEnd: (reason) => ends.push(reason) });
    const answered = owned.channel.request('a', {});
    owned.input.end('{"id":1,"ok":true,"result":"last"}'); // a last line without \n is still read
    await expect(answered).resolves.toBe('last');
    await until(() => ends.length === 1);
    expect(ends[0]).toMatchObject({ code: 'ERR_DRIVER_CLOSED' });
    expect(owned.channel.closeReason).toBeUndefined();
  });

  it('holds lines while the driver’s stdin is full and sends them in order as it drains', async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    const output = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        release = callback;
      },
    });
    const channel = new DriverChannel({ input: new PassThrough(), output });
    channels.push(channel);
    for (let i = 0; i < 5; i += 1) void channel.request(`op${i}`, {}).catch(() => undefined);
    while (written.join('').split('\n').length < 6) {
      const next = release;
      release = undefined;
      next?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ops = written
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { op: string }).op);
    expect(ops).toEqual(['op0', 'op1', 'op2', 'op3', 'op4']);
  });
});

describe('DriverChannel callbacks (§8)', () => {
  it('answers the driver’s requests while its own request waits, errors as error answers', async () => {
    const exchanges: DriverExchange[] = [];
    const { channel, feed, sent } = wired({ onExchange: (exchange) => exchanges.push(exchange) });
    channel.serve('runtime.call', (args) => {
      if (args.method === 'fail') throw new RuntimeNotFoundError('web', 'not here');
      return { echoed: args.method ?? null, bytes: new Uint8Array([255]) };
    });
    const call = channel.request('dispatch.call', {});
    feed('{"id":1,"op":"runtime.call","args":{"method":"listImages"}}\n');
    feed('{"id":2,"op":"runtime.call","args":{"method":"fail"}}\n');
    feed('{"id":3,"op":"no.such.op"}\n');
    await until(() => sent.length === 4);
    const answers = sent.slice(1).map((line) => JSON.parse(line) as { id: number });
    // Answers go out as each is ready, in any order (§3).
    expect(answers.sort((a, b) => a.id - b.id)).toEqual([
      { id: 1, ok: true, result: { echoed: 'listImages', bytes: { $bytes: '/w==' } } },
      {
        id: 2,
        ok: false,
        error: {
          code: 'ERR_RUNTIME_NOT_FOUND',
          message: expect.any(String) as string,
          details: { container: 'web', reason: 'not here' },
        },
      },
      {
        id: 3,
        ok: false,
        error: {
          code: 'ERR_DRIVER_UNKNOWN_OP',
          message: expect.any(String) as string,
          details: { op: 'no.such.op' },
        },
      },
    ]);
    feed('{"id":1,"ok":true,"result":"done"}\n');
    await expect(call).resolves.toBe('done');
    expect(exchanges.map((exchange) => `${exchange.asker} ${exchange.op}`).sort()).toEqual([
      'driver no.such.op',
      'driver runtime.call',
      'driver runtime.call',
      'suite dispatch.call',
    ]);
  });
});

describe('DriverChannel streams (§9)', () => {
  it('serves a stream it handed out to the driver, item by item, then forgets it', async () => {
    const { channel, feed, sent } = wired();
    async function* logs(): AsyncGenerator<unknown> {
      yield 'one';
      yield new Uint8Array([1]);
    }
    const id = channel.share(logs());
    expect(id).toBe('s1');
    for (let i = 1; i <= 3; i += 1) feed(`{"id":${i},"op":"stream.next","args":{"stream":"s1"}}\n`);
    await until(() => sent.length === 3);
    expect(sent.map((line) => (JSON.parse(line) as { result: unknown }).result)).toEqual([
      { done: false, value: 'one' },
      { done: false, value: { $bytes: 'AQ==' } },
      { done: true },
    ]);
    expect(channel.sharedStreamCount).toBe(0);
    feed('{"id":4,"op":"stream.next","args":{"stream":"s1"}}\n');
    feed('{"id":5,"op":"stream.cancel","args":{"stream":"s99"}}\n');
    await until(() => sent.length === 5);
    expect(sentMessage(sent, 3)).toMatchObject({
      ok: false,
      error: { code: 'ERR_DRIVER_UNKNOWN_STREAM', details: { stream: 's1' } },
    });
    expect(sentMessage(sent, 4)).toEqual({ id: 5, ok: true, result: null });
  });

  it('ends a stream it handed out when the driver cancels it', async () => {
    const { channel, feed, sent } = wired();
    let finished = false;
    async function* forever(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i += 1) yield i;
      } finally {
        finished = true;
      }
    }
    channel.share(forever());
    feed('{"id":1,"op":"stream.next","args":{"stream":"s1"}}\n');
    feed('{"id":2,"op":"stream.cancel","args":{"stream":"s1"}}\n');
    await until(() => sent.length === 2);
    expect(finished).toBe(true);
    expect(channel.sharedStreamCount).toBe(0);
  });

  it('pulls a driver’s stream with stream.next and cancels it when the reader leaves early', async () => {
    const { channel, feed, sent } = wired();
    const stream = channel.pull('d1')[Symbol.asyncIterator]();
    const first = stream.next();
    await until(() => sent.length === 1);
    expect(sentMessage(sent, 0)).toEqual({ id: 1, op: 'stream.next', args: { stream: 'd1' } });
    feed('{"id":1,"ok":true,"result":{"done":false,"value":{"$bytes":"AQ=="}}}\n');
    await expect(first).resolves.toEqual({ done: false, value: new Uint8Array([1]) });
    const second = stream.next();
    await until(() => sent.length === 2);
    feed('{"id":2,"ok":true,"result":{"done":false}}\n'); // a left-out value is null
    await expect(second).resolves.toEqual({ done: false, value: null });
    const leaving = stream.return!();
    await until(() => sent.length === 3);
    expect(sentMessage(sent, 2)).toEqual({ id: 3, op: 'stream.cancel', args: { stream: 'd1' } });
    feed('{"id":3,"ok":true,"result":null}\n');
    await expect(leaving).resolves.toEqual({ done: true, value: undefined });
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('fails a driver’s stream that ends early: the driver’s stdout closes mid-stream', async () => {
    const { channel, feed, input, sent } = wired();
    const items: unknown[] = [];
    const reading = (async () => {
      for await (const item of channel.pull('d1')) items.push(item);
    })();
    await until(() => sent.length === 1);
    feed('{"id":1,"ok":true,"result":{"done":false,"value":1}}\n');
    await until(() => sent.length === 2);
    input.end();
    await expect(reading).rejects.toMatchObject({ code: 'ERR_DRIVER_CLOSED' });
    expect(items).toEqual([1]);
  });

  it('ends a driver’s stream with the error it answers, or a bad answer for a wrong shape', async () => {
    const { channel, feed } = wired();
    const failing = channel.pull('d1')[Symbol.asyncIterator]();
    const failed = failing.next();
    feed('{"id":1,"ok":false,"error":{"code":"ERR_RUNTIME_NOT_FOUND","message":"m"}}\n');
    await expect(failed).rejects.toBeInstanceOf(RuntimeNotFoundError);
    await expect(failing.next()).resolves.toEqual({ done: true, value: undefined });

    for (const [id, result] of [
      [2, '{"value":1}'],
      [3, '{"done":"no"}'],
      [4, '{"done":false,"value":{"$bytes":"!"}}'],
    ] as const) {
      const bad = channel.pull(`d${id}`)[Symbol.asyncIterator]();
      const step = bad.next();
      feed(`{"id":${id},"ok":true,"result":${result}}\n`);
      await expect(step).rejects.toMatchObject({ code: 'ERR_DRIVER_BAD_ANSWER' });
    }
  });
});
