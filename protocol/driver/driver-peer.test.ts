import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DriverUnknownStreamError, type JsonValue } from './driver-protocol.js';
import { RouteToPeerError, RuntimeNotFoundError } from '../runtime-errors.js';
import { DriverClosedError } from './driver-errors.js';
import { DriverPeer, type DriverExchange, type DriverPeerOptions } from './driver-peer.js';
import { eventually } from '../../suite/support/poll.js';
import { linePipes } from '../../suite/targets/driver-pipes.test-helper.js';

const peers: DriverPeer[] = [];

afterEach(() => {
  for (const peer of peers.splice(0)) peer.close(new DriverClosedError('test over'));
});

function track(peer: DriverPeer): DriverPeer {
  peers.push(peer);
  return peer;
}

/** A peer fed by hand: `feed` writes raw text to its input, `sent` holds the lines it wrote. */
function wired(options: Partial<DriverPeerOptions> = {}): {
  peer: DriverPeer;
  feed: (text: string | Buffer) => void;
  sent: string[];
  input: PassThrough;
} {
  const { input, output, sent } = linePipes();
  const peer = track(new DriverPeer({ input, output, ...options }));
  return { peer, feed: (text) => input.write(text), sent, input };
}

/** Two peers wired to each other: `suite` asks, `driver` answers (and may ask back). */
function pair(
  suiteOptions: Partial<DriverPeerOptions> = {},
  driverOptions: Partial<DriverPeerOptions> = {},
): { suite: DriverPeer; driver: DriverPeer } {
  const toDriver = new PassThrough();
  const toSuite = new PassThrough();
  const suite = track(new DriverPeer({ input: toSuite, output: toDriver, ...suiteOptions }));
  const driver = track(
    new DriverPeer({ input: toDriver, output: toSuite, streamPrefix: 'd', ...driverOptions }),
  );
  return { suite, driver };
}

const poll = async (condition: () => boolean): Promise<void> => {
  await eventually(condition, { description: String(condition) });
};

describe('DriverPeer lines', () => {
  it('reassembles an answer split across chunks, also inside a multi-byte character', async () => {
    const { peer, feed, sent } = wired();
    const answer = peer.request('registry.lookup', { id: 'web' });
    await poll(() => sent.length === 1);
    const bytes = Buffer.from('{"id":1,"ok":true,"result":{"kind":"found","role":"näive"}}\n');
    const split = bytes.indexOf(Buffer.from('ä')) + 1; // between the two bytes of ä
    feed(bytes.subarray(0, 10));
    feed(bytes.subarray(10, split));
    feed(bytes.subarray(split));
    await expect(answer).resolves.toEqual({ kind: 'found', role: 'näive' });
  });

  it('reads several answers from one chunk, with CRLF and blank lines', async () => {
    const { peer, feed } = wired();
    const first = peer.request('a', {});
    const second = peer.request('b', {});
    feed('{"id":2,"ok":true,"result":2}\r\n\n{"id":1,"ok":true,"result":1}\n');
    await expect(Promise.all([first, second])).resolves.toEqual([1, 2]);
  });

  it('reads a last line that has no newline when the input ends', async () => {
    const { peer, input } = wired({ onTransportEnd: () => undefined });
    const answer = peer.request('a', {});
    input.end('{"id":1,"ok":true,"result":"last"}');
    await expect(answer).resolves.toBe('last');
  });

  it('writes each request as one line with increasing ids', async () => {
    const { peer, sent } = wired();
    void peer.request('registry.create', {}).catch(() => undefined);
    void peer.request('registry.record', { handle: 'r1', id: 'a\nb', role: 'native' }).catch(() => undefined);
    await poll(() => sent.length === 2);
    expect(sent.map((line) => JSON.parse(line) as unknown)).toEqual([
      { id: 1, op: 'registry.create', args: {} },
      { id: 2, op: 'registry.record', args: { handle: 'r1', id: 'a\nb', role: 'native' } },
    ]);
  });
});

describe('DriverPeer malformed input', () => {
  it.each([
    ['a line that is not JSON', 'hello world', 'not JSON'],
    ['a message without an id', '{"ok":true,"result":1}', '"id"'],
    ['an answer to no request', '{"id":99,"ok":true,"result":1}', 'no request is waiting'],
    ['a failure without an error object', '{"id":1,"ok":false}', '"error"'],
  ])('fails every waiting request on %s, naming the line', async (_what, line, problem) => {
    const { peer, feed } = wired();
    const waiting = [peer.request('a', {}), peer.request('b', {})];
    feed(`${line}\n`);
    for (const request of waiting) {
      await expect(request).rejects.toMatchObject({ code: 'ERR_DRIVER_MALFORMED_LINE', line });
    }
    const error = (await waiting[0]!.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(problem);
    // The peer is closed: later requests fail at once with the same error.
    await expect(peer.request('c', {})).rejects.toBe(error);
    await expect(peer.closed).resolves.toBe(error);
  });

  it('attaches the diagnostics (a stderr tail) to a malformed-line error', async () => {
    const { peer, feed } = wired({ diagnostics: () => 'Traceback: boom\n' });
    const waiting = peer.request('a', {});
    feed('garbage\n');
    await expect(waiting).rejects.toThrow(/garbage[\s\S]*Traceback: boom/);
  });

  it('reports and skips malformed lines when asked to, and keeps serving', async () => {
    const reported: Error[] = [];
    const { peer, feed } = wired({ onMalformedLine: (error) => reported.push(error) });
    const answer = peer.request('a', {});
    feed('garbage\n{"id":1,"ok":true,"result":"fine"}\n');
    await expect(answer).resolves.toBe('fine');
    expect(reported.map((error) => (error as { code?: string }).code)).toEqual(['ERR_DRIVER_MALFORMED_LINE']);
  });

  it('fails on a line over the cap, even one that arrives in small pieces', async () => {
    const { peer, feed } = wired({ maxLineBytes: 64 });
    const waiting = peer.request('a', {});
    for (let i = 0; i < 10; i += 1) feed('x'.repeat(10));
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_DRIVER_LINE_TOO_LONG', limit: 64 });
  });

  it('skips the rest of an over-long line when reporting, then reads on', async () => {
    const reported: Error[] = [];
    const { peer, feed } = wired({ maxLineBytes: 64, onMalformedLine: (error) => reported.push(error) });
    const answer = peer.request('a', {});
    feed('y'.repeat(100));
    feed('y'.repeat(100));
    feed(`${'y'.repeat(10)}\n{"id":1,"ok":true,"result":7}\n`);
    await expect(answer).resolves.toBe(7);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ code: 'ERR_DRIVER_LINE_TOO_LONG' });
  });
});

describe('DriverPeer requests and answers', () => {
  it('serves requests with handlers and rebuilds typed errors on the asking side', async () => {
    const { suite, driver } = pair();
    driver.handle('echo', (args) => args);
    driver.handle('route', () => {
      throw new RouteToPeerError('web', 'linux', 'no delegate');
    });
    await expect(suite.request('echo', { a: [1, 'x'] })).resolves.toEqual({ a: [1, 'x'] });
    const error = await suite.request('route', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouteToPeerError);
    expect(error).toMatchObject({ code: 'ERR_RUNTIME_ROUTE_TO_PEER', service: 'web', requiredOs: 'linux' });
    await expect(suite.request('nope', {})).rejects.toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN_OP',
      op: 'nope',
    });
  });

  it('serves callbacks while a request of its own is in flight, in both directions', async () => {
    const { suite, driver } = pair();
    const order: string[] = [];
    suite.handle('runtime.call', async (args) => {
      order.push(`callback ${JSON.stringify(args.n)}`);
      await new Promise((resolve) => setTimeout(resolve, Number(args.delay)));
      if (args.n === 2) throw new RuntimeNotFoundError('web-rep-1', 'unknown here');
      return `answer ${JSON.stringify(args.n)}`;
    });
    driver.handle('dispatch.call', async (args) => {
      const first = driver.request('runtime.call', { n: 1, delay: 30 });
      const second = driver
        .request('runtime.call', { n: 2, delay: 5 })
        .catch((e: unknown) => (e as Error).name);
      return [args.label, await first, await second] as JsonValue;
    });
    const [a, b] = await Promise.all([
      suite.request('dispatch.call', { label: 'a' }),
      suite.request('dispatch.call', { label: 'b' }),
    ]);
    expect(a).toEqual(['a', 'answer 1', 'RuntimeNotFoundError']);
    expect(b).toEqual(['b', 'answer 1', 'RuntimeNotFoundError']);
    expect(order).toHaveLength(4);
  });

  it('times a request out with a typed error and drops its late answer quietly', async () => {
    const { peer, feed, sent } = wired({ requestTimeoutMs: 30, diagnostics: () => 'stuck in a loop' });
    const error = await peer.request('registry.lookup', { id: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DRIVER_TIMEOUT', op: 'registry.lookup', timeoutMs: 30 });
    expect((error as Error).message).toContain('stuck in a loop');
    feed('{"id":1,"ok":true,"result":"late"}\n');
    const next = peer.request('a', {}, { timeoutMs: 0 });
    await poll(() => sent.length === 2);
    feed('{"id":2,"ok":true,"result":"on time"}\n');
    await expect(next).resolves.toBe('on time');
    expect(peer.closeReason).toBeUndefined();
  });

  it('reports each finished exchange, both directions, and errors', async () => {
    const exchanges: DriverExchange[] = [];
    const { suite, driver } = pair({
      onExchange: (exchange) => exchanges.push(exchange),
      requestTimeoutMs: 20,
    });
    driver.handle('ask', async () => driver.request('answer', {}));
    suite.handle('answer', () => 42);
    driver.handle('slow', () => new Promise(() => undefined));
    await expect(suite.request('ask', {})).resolves.toBe(42);
    await expect(suite.request('slow', {})).rejects.toMatchObject({ code: 'ERR_DRIVER_TIMEOUT' });
    await suite.request('quiet', {}, { record: false }).catch(() => undefined);
    expect(exchanges.map((e) => [e.direction, e.op, typeof e.reply === 'string' ? 'line' : 'error'])).toEqual(
      [
        ['incoming', 'answer', 'line'],
        ['outgoing', 'ask', 'line'],
        ['outgoing', 'slow', 'error'],
      ],
    );
    expect(exchanges[0]?.reply).toBe('{"id":1,"ok":true,"result":42}');
  });

  it('fails every waiting request when closed, and every later one', async () => {
    const { peer } = wired();
    const waiting = peer.request('a', {});
    const reason = new DriverClosedError('gone');
    peer.close(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(peer.request('b', {})).rejects.toBe(reason);
    expect(peer.pendingCount).toBe(0);
  });

  it('closes when its input ends, unless the owner takes that over', async () => {
    const plain = wired();
    const waiting = plain.peer.request('a', {});
    plain.input.end();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_DRIVER_CLOSED' });

    const ends: Error[] = [];
    const owned = wired({ onTransportEnd: (reason) => ends.push(reason) });
    owned.input.end();
    await poll(() => ends.length === 1);
    expect(owned.peer.closeReason).toBeUndefined();
  });

  it('holds lines back while the output is full and sends them in order as it drains', async () => {
    const input = new PassThrough();
    const written: string[] = [];
    let release: (() => void) | undefined;
    const output = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        release = callback; // stays full until the test lets it drain
      },
    });
    const peer = track(new DriverPeer({ input, output }));
    for (let i = 0; i < 5; i += 1) void peer.request(`op${i}`, {}).catch(() => undefined);
    expect(output.writableLength).toBeLessThanOrEqual(64); // one line in the stream, the rest queued here
    while (written.length < 5) {
      const next = release;
      release = undefined;
      next?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(written.map((line) => (JSON.parse(line) as { op: string }).op)).toEqual([
      'op0',
      'op1',
      'op2',
      'op3',
      'op4',
    ]);
  });
});

describe('DriverPeer streams', () => {
  it('pulls a stream the other side handed out, item by item, bytes included', async () => {
    const { suite, driver } = pair();
    async function* logs(): AsyncGenerator<unknown> {
      yield { stream: 'stdout', data: 'one\n' };
      yield new Uint8Array([1, 2]);
    }
    driver.handle('logs', () => logs());
    const stream = suite.decode(await suite.request('logs', {})) as AsyncIterable<unknown>;
    const items: unknown[] = [];
    for await (const item of stream) items.push(item);
    expect(items).toEqual([{ stream: 'stdout', data: 'one\n' }, new Uint8Array([1, 2])]);
    expect(driver.openStreamCount).toBe(0);
  });

  it('cancels a stream the consumer leaves early, ending the producer', async () => {
    const { suite, driver } = pair();
    let finished = false;
    async function* forever(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i += 1) yield i;
      } finally {
        finished = true;
      }
    }
    driver.handle('follow', () => forever());
    const stream = suite.decode(await suite.request('follow', {})) as AsyncIterable<number>;
    for await (const item of stream) if (item === 2) break;
    await poll(() => finished);
    expect(driver.openStreamCount).toBe(0);
  });

  it('passes a producer error to the consumer with its type', async () => {
    const { suite, driver } = pair();
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      throw new RuntimeNotFoundError('web-rep-1', 'gone mid-stream');
    }
    driver.handle('broken', () => broken());
    const stream = suite.decode(await suite.request('broken', {})) as AsyncIterable<number>;
    const items: number[] = [];
    const error = await (async () => {
      for await (const item of stream) items.push(item);
    })().catch((e: unknown) => e);
    expect(items).toEqual([1]);
    expect(error).toBeInstanceOf(RuntimeNotFoundError);
  });

  it('answers UnknownStream for a stream it does not hold', async () => {
    const { suite } = pair();
    const error = await suite.request('stream.next', { stream: 's404' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DRIVER_UNKNOWN_STREAM', stream: 's404' });
    expect(error).toBeInstanceOf(DriverUnknownStreamError);
    await expect(suite.request('stream.cancel', { stream: 's404' })).resolves.toBeNull();
  });
});
