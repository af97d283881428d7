import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/connector.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import type { ConnectionRecord } from './connection-log.js';
import { createRecordingGuest, HARNESSES, type HarnessFactory } from './connector-harness.test-helper.js';
import { GARBAGE_BYTES, type TransportFault } from '../../protocol/faults.js';
import { Faults, faultPlan, type FaultScript } from './faults.js';
import { FaultyConnector } from './faulty-connector.js';
import type { GuestSink } from './guest-sink.js';
import { memorySocketProbe } from './memory-duplex-pair.js';
import { StreamReader } from './stream-reader.js';
import { eventually } from '../../suite/support/poll.js';

useLeakCheck([memorySocketProbe]);

const GARBAGE_TEXT = Buffer.from(GARBAGE_BYTES).toString('latin1');

/** A faulty connector over a fresh harness; disposing it closes both. */
async function setup(
  create: HarnessFactory,
  guests: Readonly<Record<Role, GuestSink>>,
  script: FaultScript | Parameters<typeof faultPlan>[0],
  options: { readonly connectTimeoutMs?: number } = {},
) {
  const harness = await create(guests);
  const faulty = new FaultyConnector(harness.connector, script, options);
  return {
    harness,
    faulty,
    async [Symbol.asyncDispose]() {
      await faulty.closeAll();
      await harness.close();
    },
  };
}

/** Faults for every connection. */
const every =
  (...faults: TransportFault[]): FaultScript =>
  () =>
    faults;

describe.each(HARNESSES)('FaultyConnector over $name', ({ create }) => {
  it('passes traffic through untouched without faults, and logs it', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, {});
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    client.write('hello');
    await reader.includes('HELLO');
    client.end('!');
    expect(await reader.end()).toBe('HELLO!');
    await reader.close();
    await env.faulty.whenIdle();
    expect(env.faulty.records()).toEqual([
      {
        index: 0,
        role: 'native',
        faults: [],
        fired: [],
        bytesToGuest: 6,
        bytesToClient: 6,
        bytesSwallowed: 0,
        outcome: 'closed',
      },
    ]);
  });

  it('refuse: connect rejects with ERR_CONNECT_REFUSED and the guest sees nothing', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, every(Faults.refuse()));
    await expect(env.faulty.connect('native')).rejects.toMatchObject({
      code: 'ERR_CONNECT_REFUSED',
      role: 'native',
    });
    expect(env.harness.accepted('native')).toBe(0);
    expect(env.faulty.record(0)).toMatchObject({ fired: ['refuse'], outcome: 'refused' });
  });

  it('scripts per connection index: connection 0 refused, connection 1 fine', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, { byIndex: { 0: [Faults.refuse()] } });
    await expect(env.faulty.connect('native')).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED' });
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    client.end('ok');
    expect(await reader.end()).toBe('OK');
    await reader.close();
    await env.faulty.whenIdle();
    expect(env.faulty.records().map((r) => [r.index, r.outcome])).toEqual([
      [0, 'refused'],
      [1, 'closed'],
    ]);
    expect(env.harness.accepted('native')).toBe(1);
  });

  it('connect-delay: connect resolves after the delay', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, every(Faults.connectDelay(60)));
    const started = performance.now();
    const client = await env.faulty.connect('native');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    const reader = new StreamReader(client);
    client.end('late');
    expect(await reader.end()).toBe('LATE');
    await reader.close();
    expect(env.faulty.record(0)?.fired).toEqual(['connect-delay']);
  });

  it('connect-delay longer than the connect timeout rejects with ERR_CONNECT_TIMEOUT, never reaching the guest', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, every(Faults.connectDelay(5000)), {
      connectTimeoutMs: 40,
    });
    await expect(env.faulty.connect('native')).rejects.toMatchObject({
      code: 'ERR_CONNECT_TIMEOUT',
      timeoutMs: 40,
    });
    expect(env.faulty.record(0)?.outcome).toBe('timeout');
    expect(env.harness.accepted('native')).toBe(0);
  });

  it('connect-stall: the connect timeout rejects it with ERR_CONNECT_TIMEOUT instead of hanging', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, every(Faults.connectStall()), {
      connectTimeoutMs: 50,
    });
    const started = performance.now();
    await expect(env.faulty.connect('native')).rejects.toMatchObject({
      code: 'ERR_CONNECT_TIMEOUT',
      role: 'native',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(env.faulty.record(0)).toMatchObject({ fired: ['connect-stall'], outcome: 'timeout' });
    expect(env.harness.accepted('native')).toBe(0);
  });

  it('connect-stall: an abort or closeAll() ends the pending connect with ERR_CONNECT_ABORTED', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, every(Faults.connectStall()));
    const controller = new AbortController();
    const byAbort = env.faulty.connect('native', { signal: controller.signal });
    const byClose = env.faulty.connect('native');
    controller.abort();
    await expect(byAbort).rejects.toMatchObject({ code: 'ERR_CONNECT_ABORTED' });
    await env.faulty.closeAll();
    await expect(byClose).rejects.toMatchObject({ code: 'ERR_CONNECT_ABORTED' });
    expect(env.faulty.records().map((r) => r.outcome)).toEqual(['aborted', 'aborted']);
  });

  it('black-hole: connected, client bytes are swallowed and nothing comes back', async () => {
    const guest = createRecordingGuest({ onConnect: (socket) => socket.write('banner') });
    await using env = await setup(create, { native: guest.sink }, every(Faults.blackHole()));
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    client.write('hello?');
    client.end();
    await eventually(() => env.faulty.record(0)?.bytesSwallowed === 6, { description: 'bytes swallowed' });
    await new Promise((resolve) => setTimeout(resolve, 30)); // a window in which nothing may arrive
    expect(reader.text).toBe('');
    expect(reader.ended).toBe(false);
    expect(env.harness.accepted('native')).toBe(0);
    client.destroy();
    await reader.close();
    await env.faulty.whenIdle();
    expect(env.faulty.record(0)).toMatchObject({
      fired: ['black-hole'],
      bytesToGuest: 0,
      outcome: 'client-destroyed',
    });
  });

  it('reset to-guest: after N bytes reach the guest, the client gets ECONNRESET', async () => {
    const guest = createRecordingGuest({ onData: () => undefined });
    await using env = await setup(create, { native: guest.sink }, every(Faults.reset(4, 'to-guest')));
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    client.write('abcdefgh');
    expect((await reader.failure()).code).toBe('ECONNRESET');
    expect(reader.ended).toBe(false);
    await reader.close();
    await eventually(() => guest.connections[0]?.closed === true, { description: 'guest side closed' });
    expect(guest.connections[0]?.text).toBe('abcd');
    await env.faulty.whenIdle();
    expect(env.faulty.record(0)).toMatchObject({
      fired: ['reset'],
      bytesToGuest: 4,
      bytesToClient: 0,
      outcome: 'reset',
    });
  });

  it('reset to-client: the client reads N bytes, then ECONNRESET', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, every(Faults.reset(3, 'to-client')));
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    client.write('hello');
    expect((await reader.failure()).code).toBe('ECONNRESET');
    expect(reader.text).toBe('HEL');
    await reader.close();
    await eventually(() => guest.connections[0]?.closed === true, { description: 'guest side closed' });
    await env.faulty.whenIdle();
    expect(env.faulty.record(0)).toMatchObject({ bytesToGuest: 5, bytesToClient: 3, outcome: 'reset' });
  });

  it('reset after 0 bytes: ECONNRESET right after connect', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(create, { native: guest.sink }, every(Faults.reset(0, 'to-client')));
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    expect((await reader.failure()).code).toBe('ECONNRESET');
    await reader.close();
    await env.faulty.whenIdle();
    expect(env.faulty.record(0)).toMatchObject({ bytesToClient: 0, outcome: 'reset' });
  });

  it("garbage: the guest's answer is replaced by non-HTTP bytes, then the connection closes", async () => {
    const guest = createRecordingGuest({ onData: (socket) => socket.write('HTTP/1.1 200 OK\r\n\r\n') });
    await using env = await setup(create, { native: guest.sink }, every(Faults.garbage()));
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    client.write('GET / HTTP/1.1\r\n\r\n');
    expect(await reader.end()).toBe(GARBAGE_TEXT);
    client.write('more'); // the connection is closed: writing fails like on a closed socket
    expect((await reader.failure()).code).toBe('EPIPE');
    await reader.close();
    await eventually(() => guest.connections[0]?.closed === true, { description: 'guest side closed' });
    expect(env.faulty.record(0)).toMatchObject({ fired: ['garbage'], outcome: 'garbage' });
  });

  it('garbage after N bytes, with custom bytes', async () => {
    const guest = createRecordingGuest({ onData: (socket) => socket.write('HTTP/1.1 200 OK\r\n\r\n') });
    await using env = await setup(
      create,
      { native: guest.sink },
      every(Faults.garbage({ bytes: '\x00junk', afterBytes: 8 })),
    );
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    client.write('GET / HTTP/1.1\r\n\r\n');
    expect(await reader.end()).toBe('HTTP/1.1\x00junk');
    client.destroy();
    await reader.close();
    expect(env.faulty.record(0)?.bytesToClient).toBe(13);
  });

  it('half-close: the client gets a FIN after N bytes while its writes still reach the guest', async () => {
    const guest = createRecordingGuest({ onEnd: (socket, text) => socket.end(`total ${text}`) });
    await using env = await setup(create, { native: guest.sink }, every(Faults.halfClose(3)));
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    client.write('hello');
    expect(await reader.end()).toBe('HEL');
    expect(reader.error).toBeUndefined();
    client.end(' world');
    await reader.close();
    await eventually(() => guest.connections[0]?.ended === true, { description: 'guest saw FIN' });
    expect(guest.connections[0]?.text).toBe('hello world');
    await env.faulty.whenIdle();
    expect(env.faulty.record(0)).toMatchObject({
      fired: ['half-close'],
      bytesToGuest: 11,
      bytesToClient: 3,
      outcome: 'closed',
    });
  });

  it('drip: guest output arrives in slices of chunkBytes, one per interval', async () => {
    const guest = createRecordingGuest({
      onConnect: (socket) => socket.end('abcdefghij'),
      onEnd: () => undefined,
    });
    await using env = await setup(create, { native: guest.sink }, every(Faults.drip(4, 25)));
    const started = performance.now();
    const client = await env.faulty.connect('native');
    const slices: { text: string; at: number }[] = [];
    client.on('data', (chunk: Buffer) => slices.push({ text: chunk.toString(), at: performance.now() }));
    const reader = new StreamReader(client);
    expect(await reader.end()).toBe('abcdefghij');
    client.end();
    await reader.close();
    await env.faulty.whenIdle();
    expect(slices.map((s) => s.text)).toEqual(['abcd', 'efgh', 'ij']);
    // Slice k leaves at least k intervals after the first, which leaves after connect() began.
    // (Gaps between arrivals are not a sound bound: a late first arrival shortens the next gap.)
    expect(slices[2]!.at - started).toBeGreaterThanOrEqual(2 * 25 - 1);
    expect(env.faulty.record(0)).toMatchObject({ fired: ['drip'], bytesToClient: 10, outcome: 'closed' });
  });

  it('composes drip with reset to-client', async () => {
    const guest = createRecordingGuest({
      onConnect: (socket) => socket.write('0123456789'),
      onData: () => undefined,
    });
    await using env = await setup(
      create,
      { native: guest.sink },
      every(Faults.drip(3, 5), Faults.reset(7, 'to-client')),
    );
    const client = await env.faulty.connect('native');
    const reader = new StreamReader(client);
    expect((await reader.failure()).code).toBe('ECONNRESET');
    expect(reader.text).toBe('0123456');
    await reader.close();
    await env.faulty.whenIdle();
    expect(env.faulty.record(0)).toMatchObject({ fired: ['drip', 'reset'], bytesToClient: 7 });
  });

  it('gives the same records for the same script twice (determinism)', async () => {
    const script = faultPlan({
      byIndex: {
        0: [Faults.refuse()],
        1: [Faults.reset(3, 'to-client')],
        2: [Faults.halfClose(2), Faults.drip(2, 1)],
        3: [Faults.garbage({ afterBytes: 1 })],
        4: [Faults.reset(2, 'to-guest')],
      },
    });
    const run = async (): Promise<ConnectionRecord[]> => {
      // Answers only once the client is done, so every byte count below is fixed.
      const guest = createRecordingGuest({
        onData: () => undefined,
        onEnd: (socket, text) => socket.end(text.toUpperCase()),
      });
      await using env = await setup(create, { native: guest.sink }, script);
      for (let i = 0; i < 6; i++) {
        const client = await env.faulty.connect('native').catch(() => undefined);
        if (!client) continue;
        const reader = new StreamReader(client);
        client.end('payload');
        await reader.until((r) => r.closed, 'close');
      }
      await env.faulty.whenIdle();
      return env.faulty.records();
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first.map((r) => r.outcome)).toEqual(['refused', 'reset', 'closed', 'garbage', 'reset', 'closed']);
    expect(first.map((r) => r.bytesToClient)).toEqual([0, 3, 2, 1 + GARBAGE_BYTES.length, 0, 7]);
    expect(first.map((r) => r.bytesToGuest)).toEqual([0, 7, 7, 7, 2, 7]);
  });

  it('closeAll() cuts open connections, pending timers included', async () => {
    const guest = createRecordingGuest({ onConnect: (socket) => socket.write('x'.repeat(100)) });
    await using env = await setup(
      create,
      { native: guest.sink },
      {
        byIndex: { 0: [Faults.drip(1, 10_000)], 1: [Faults.blackHole()] },
      },
    );
    const dripping = new StreamReader(await env.faulty.connect('native'));
    const stalled = new StreamReader(await env.faulty.connect('native'));
    await dripping.bytes(1);
    await env.faulty.closeAll();
    await Promise.all([dripping.close(), stalled.close()]);
    expect(dripping.text).toBe('x');
    expect(env.faulty.records().map((r) => r.outcome)).toEqual(['disposed', 'disposed']);
  });
});

describe('FaultyConnector', () => {
  it('rejects an unknown role before consuming an index', async () => {
    const guest = createRecordingGuest();
    await using env = await setup(HARNESSES[0]!.create, { native: guest.sink }, every(Faults.refuse()));
    await expect(env.faulty.connect('arm64')).rejects.toMatchObject({ code: 'ERR_CONNECT_UNKNOWN_ROLE' });
    expect(env.faulty.attempts).toBe(0);
  });

  it('rejects malformed or conflicting faults with ERR_FAULT_INVALID', async () => {
    const guest = createRecordingGuest();
    // An HTTP fault (protocol/faults.ts) is not one a connector can apply.
    const httpFault = { kind: 'answer-stall' } as unknown as TransportFault;
    await using env = await setup(HARNESSES[0]!.create, { native: guest.sink }, (index) =>
      index === 0
        ? [Faults.drip(0, 5)]
        : index === 1
          ? [Faults.halfClose(1), Faults.halfClose(2)]
          : [httpFault],
    );
    await expect(env.faulty.connect('native')).rejects.toMatchObject({ code: 'ERR_FAULT_INVALID' });
    await expect(env.faulty.connect('native')).rejects.toMatchObject({ code: 'ERR_FAULT_INVALID' });
    await expect(env.faulty.connect('native')).rejects.toMatchObject({ code: 'ERR_FAULT_INVALID' });
  });

  it('takes the inner connector timeout as its default and byRole/all in plans', async () => {
    const guest = createRecordingGuest();
    const harness = await HARNESSES[0]!.create(
      { native: guest.sink, amd64: guest.sink },
      { connectTimeoutMs: 1234 },
    );
    const faulty = new FaultyConnector(harness.connector, {
      all: [Faults.connectDelay(1)],
      byRole: { amd64: [Faults.refuse()] },
    });
    expect(faulty.connectTimeoutMs).toBe(1234);
    await expect(faulty.connect('amd64')).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED' });
    const client = await faulty.connect('native');
    client.destroy();
    await faulty.closeAll();
    await harness.close();
    expect(faulty.records().map((r) => [r.role, r.fired])).toEqual([
      ['amd64', ['refuse']],
      ['native', ['connect-delay']],
    ]);
  });

  it('makes an undici request fail on garbage instead of hanging', async () => {
    const guest = createRecordingGuest({
      onData: (socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
    });
    await using env = await setup(
      HARNESSES[1]!.create,
      { native: guest.sink },
      { byIndex: { 0: [Faults.garbage()] } },
    );
    const client = new Client('http://native.guest', {
      connect: (_options, callback) => {
        env.faulty.connect('native').then(
          (socket: Duplex) => callback(null, socket as Socket),
          (error: Error) => callback(error, null),
        );
      },
    });
    try {
      // undici's parser error (its `code` is not always set).
      await expect(client.request({ path: '/_ping', method: 'GET' })).rejects.toMatchObject({
        name: 'HTTPParserError',
      });
      const second = await client.request({ path: '/_ping', method: 'GET' });
      expect(await second.body.text()).toBe('ok');
    } finally {
      await client.destroy();
    }
  });
});
