import { Buffer } from 'node:buffer';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { HeaderList } from '../../protocol/header-list.js';
import {
  createMemoryDuplexPair,
  memorySocketProbe,
  resetMemorySocket,
  StreamReader,
  type MemorySocket,
} from '../../simulators/vsock/index.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { patternBytes } from '../../suite/support/streams.js';
import { bridgeUpgrade, type BridgeOptions, type BridgeOutcome, type UpgradeRequest } from './index.js';

useLeakCheck([memorySocketProbe]);

const ATTACH: UpgradeRequest = {
  method: 'POST',
  target: '/v1.41/containers/abc/attach?stderr=1&stdin=1&stdout=1&stream=1',
  headers: [
    ['Host', 'api.moby.localhost'],
    ['User-Agent', 'Docker-Client/28.2.2 (linux)'],
    ['Content-Length', '0'],
    ['Content-Type', 'text/plain'],
    ['Connection', 'Upgrade'],
    ['Upgrade', 'tcp'],
  ],
  body: Buffer.alloc(0),
};

const UPGRADED =
  'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';

/** What the client gets for UPGRADED. */
const CLIENT_101 =
  'HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n';

interface Harness {
  /** The test's end of the client connection (what the docker CLI holds). */
  readonly client: MemorySocket;
  /** The test's end of the guest connection (what the guest dockerd holds). */
  readonly guest: MemorySocket;
  readonly fromBridge: StreamReader;
  readonly toGuest: StreamReader;
  readonly outcome: Promise<BridgeOutcome>;
}

interface StartOptions {
  readonly request?: Partial<UpgradeRequest>;
  readonly clientRest?: string | Buffer;
  readonly options?: BridgeOptions;
  /** Runs on the test's client end before the bridge starts (e.g. an early FIN). */
  readonly before?: (client: MemorySocket) => void;
  readonly highWaterMark?: number;
}

function start(options: StartOptions = {}): Harness {
  const pair = options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark };
  const [client, clientEnd] = createMemoryDuplexPair(pair);
  const [guestEnd, guest] = createMemoryDuplexPair(pair);
  const fromBridge = new StreamReader(client);
  const toGuest = new StreamReader(guest);
  options.before?.(client);
  const rest = options.clientRest ?? Buffer.alloc(0);
  const outcome = bridgeUpgrade(
    clientEnd,
    typeof rest === 'string' ? Buffer.from(rest, 'latin1') : rest,
    { ...ATTACH, ...options.request },
    guestEnd,
    options.options,
  );
  onTestFinished(async () => {
    client.destroy();
    guest.destroy();
    await outcome;
  });
  return { client, guest, fromBridge, toGuest, outcome };
}

/** Waits for a whole request (head and Content-Length body) at the guest; returns it as text. */
async function guestRequest(reader: StreamReader): Promise<{ head: string; body: string; size: number }> {
  const text = await reader.includes('\r\n\r\n');
  const end = text.indexOf('\r\n\r\n') + 4;
  const head = text.slice(0, end);
  const length = Number(/\r\ncontent-length: (\d+)\r\n/i.exec(head)?.[1] ?? 0);
  await reader.bytes(end + length);
  return { head, body: reader.text.slice(end, end + length), size: end + length };
}

interface ParsedResponse {
  readonly status: number;
  readonly headers: HeaderList;
  readonly head: string;
  readonly body: string;
}

function parseResponse(text: string): ParsedResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    head: text.slice(0, end + 4),
    body: text.slice(end + 4),
  };
}

/** Decodes a chunked body (test-side, strict enough for what the bridge writes). */
function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.slice(at, lineEnd), 16);
    at = lineEnd + 2;
    if (size === 0) {
      expect(body.slice(at)).toBe('\r\n');
      return out;
    }
    out += body.slice(at, at + size);
    expect(body.slice(at + size, at + size + 2)).toBe('\r\n');
    at += size + 2;
  }
}

const latin1 = (bytes: Buffer): string => bytes.toString('latin1');

describe('bridgeUpgrade: the request the guest receives (UPG-1, UPG-2)', () => {
  it('writes the request line, Host: localhost, the end-to-end headers in order and an accurate Content-Length', async () => {
    const h = start({
      request: {
        method: 'POST',
        target: '/v1.41/exec/e1/start',
        headers: [
          ['Host', 'api.moby.localhost'],
          ['User-Agent', 'Docker-Client/28.2.2 (linux)'],
          ['Transfer-Encoding', 'chunked'],
          ['Content-Type', 'application/json'],
          ['Connection', 'Upgrade, X-Hop'],
          ['X-Hop', 'dropped'],
          ['Expect', '100-continue'],
          ['Upgrade', 'tcp'],
          ['X-Registry-Auth', 'e30='],
          ['X-Dup', 'one'],
          ['X-Dup', 'two'],
        ],
        body: Buffer.from('{"Detach":false,"Tty":false}'),
      },
    });
    const request = await guestRequest(h.toGuest);
    expect(request.head).toBe(
      'POST /v1.41/exec/e1/start HTTP/1.1\r\n' +
        'Host: localhost\r\n' +
        'User-Agent: Docker-Client/28.2.2 (linux)\r\n' +
        'Content-Type: application/json\r\n' +
        'Connection: Upgrade, X-Hop\r\n' +
        'Upgrade: tcp\r\n' +
        'X-Registry-Auth: e30=\r\n' +
        'X-Dup: one\r\n' +
        'X-Dup: two\r\n' +
        'Content-Length: 28\r\n\r\n',
    );
    expect(request.body).toBe('{"Detach":false,"Tty":false}');
    h.guest.end(UPGRADED);
    h.client.end();
    expect((await h.outcome).kind).toBe('upgraded');
  });

  it('sends Content-Length: 0 for an empty body and keeps the target byte for byte', async () => {
    const target = '/v1.41/containers/a%2Fb/attach?stream=1&x=%zz&&';
    const h = start({ request: { target } });
    const request = await guestRequest(h.toGuest);
    expect(request.head.startsWith(`POST ${target} HTTP/1.1\r\nHost: localhost\r\n`)).toBe(true);
    expect(request.head.endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
    h.guest.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    await h.fromBridge.end();
    h.client.end();
    expect(await h.outcome).toMatchObject({ kind: 'relayed', status: 404 });
  });

  it('answers 400 without writing anything to the guest when the target cannot be written', async () => {
    const h = start({ request: { target: '/bad target' } });
    await h.toGuest.end();
    expect(h.toGuest.text).toBe('');
    const response = parseResponse(await h.fromBridge.end());
    expect(response.status).toBe(400);
    h.client.end();
    const outcome = await h.outcome;
    expect(outcome).toMatchObject({ kind: 'failed', status: 400 });
    expect(outcome.error?.code).toBe('ERR_BRIDGE_BAD_REQUEST');
  });
});

describe('bridgeUpgrade: 101 (UPG-10, UPG-11, UPG-14, UPG-15)', () => {
  it("answers 101 with Connection: Upgrade, the guest's Upgrade and Content-Type, and nothing else", async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.write(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nServer: Docker/20.10\r\n' +
        'Api-Version: 1.41\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
    const text = await h.fromBridge.includes('\r\n\r\n');
    expect(text).toBe(
      'HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n' +
        'Content-Type: application/vnd.docker.multiplexed-stream\r\n\r\n',
    );
    h.guest.end();
    h.client.end();
    expect(await h.outcome).toEqual({ kind: 'upgraded', status: 101 });
  });

  it("relays the guest's Upgrade value h2c (BuildKit /session) and defaults to tcp without one", async () => {
    const h2c = start({
      request: {
        target: '/session',
        headers: [
          ['Upgrade', 'h2c'],
          ['Connection', 'Upgrade'],
        ],
      },
    });
    await guestRequest(h2c.toGuest);
    h2c.guest.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n');
    expect(await h2c.fromBridge.includes('\r\n\r\n')).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
    );
    h2c.client.end();
    await h2c.outcome;

    const bare = start();
    await guestRequest(bare.toGuest);
    bare.guest.end('HTTP/1.1 101 \r\n\r\n');
    expect(await bare.fromBridge.includes('\r\n\r\n')).toBe(
      'HTTP/1.1 101 \r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
    bare.client.end();
    expect((await bare.outcome).kind).toBe('upgraded');
  });

  it('hands the bytes sent with the 101 head to the client before anything later', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.write(`${UPGRADED}first-output;`);
    await h.fromBridge.includes('first-output;');
    h.guest.end('later-output');
    h.client.end();
    expect(await h.fromBridge.end()).toBe(`${CLIENT_101}first-output;later-output`);
    await h.outcome;
  });

  it("forwards the client's early bytes after the handshake, before what it sends later", async () => {
    const h = start({ clientRest: 'early-stdin;' });
    const request = await guestRequest(h.toGuest);
    // Nothing but the request before the guest has answered.
    expect(h.toGuest.text.length).toBe(request.size);
    h.guest.write(UPGRADED);
    await h.fromBridge.includes('\r\n\r\n');
    h.client.end('late-stdin');
    await h.toGuest.end();
    expect(h.toGuest.text.slice(request.size)).toBe('early-stdin;late-stdin');
    h.guest.end();
    expect(await h.outcome).toEqual({ kind: 'upgraded', status: 101 });
  });

  it('skips an interim 100 Continue and relays the final 101', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.write(`HTTP/1.1 100 Continue\r\n\r\n${UPGRADED}out`);
    expect(await h.fromBridge.includes('out')).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n[^]*\r\n\r\nout$/);
    h.guest.end();
    h.client.end();
    expect((await h.outcome).kind).toBe('upgraded');
  });

  it('carries 2 MiB each way unchanged', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    const up = patternBytes(2 * 1024 * 1024, 3);
    const down = patternBytes(2 * 1024 * 1024, 5);
    h.guest.write(UPGRADED);
    await h.fromBridge.includes('\r\n\r\n');
    const headLength = h.fromBridge.text.length;
    const requestLength = h.toGuest.text.length;
    h.client.end(up);
    h.guest.end(down);
    await h.fromBridge.end(10_000);
    await h.toGuest.end(10_000);
    expect(h.fromBridge.text.slice(headLength) === latin1(down)).toBe(true);
    expect(h.toGuest.text.slice(requestLength) === latin1(up)).toBe(true);
    expect(await h.outcome).toEqual({ kind: 'upgraded', status: 101 });
  });
});

describe('bridgeUpgrade: half-close (UPG-12, UPG-13, issue #268)', () => {
  it("passes the client's FIN right after the 101 on and still delivers all later output and the guest's FIN", async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.write(UPGRADED);
    await h.fromBridge.includes('\r\n\r\n');
    // docker run without -i: FIN as soon as the 101 is in.
    h.client.end();
    await h.toGuest.end();
    h.guest.write('out\n');
    h.guest.write('err\n');
    h.guest.end('exit');
    const text = await h.fromBridge.end();
    expect(text.endsWith('\r\n\r\nout\nerr\nexit')).toBe(true);
    expect(h.fromBridge.error).toBeUndefined();
    expect(await h.outcome).toEqual({ kind: 'upgraded', status: 101 });
  });

  it("passes the guest's FIN on while the client's input keeps reaching the guest", async () => {
    const h = start();
    const request = await guestRequest(h.toGuest);
    h.guest.end(`${UPGRADED}bye`);
    await h.fromBridge.end();
    h.client.write('still-');
    await h.toGuest.includes('still-');
    h.client.end('typing');
    await h.toGuest.end();
    expect(h.toGuest.text.slice(request.size)).toBe('still-typing');
    expect(await h.outcome).toEqual({ kind: 'upgraded', status: 101 });
  });

  it('handles a client whose FIN came before the bridge started (early bytes first)', async () => {
    const h = start({ clientRest: 'all-stdin', before: (client) => client.end() });
    const request = await guestRequest(h.toGuest);
    h.guest.write(UPGRADED);
    await h.toGuest.end();
    expect(h.toGuest.text.slice(request.size)).toBe('all-stdin');
    h.guest.end('result');
    expect((await h.fromBridge.end()).endsWith('result')).toBe(true);
    expect((await h.outcome).kind).toBe('upgraded');
  });

  it('ends cleanly when the guest refuses input after its output is complete', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.end(`${UPGRADED}done`);
    await h.fromBridge.end();
    // The guest closes completely, like dockerd after the process exits; then the client types.
    h.guest.destroy();
    h.client.end('too late');
    expect(await h.outcome).toEqual({ kind: 'upgraded', status: 101 });
  });
});

describe('bridgeUpgrade: legacy hijack, 200 raw stream (UPG-16)', () => {
  it('relays the head and then the raw stream both ways until both ends', async () => {
    const h = start({ request: { headers: [['Content-Type', 'text/plain']] } });
    const request = await guestRequest(h.toGuest);
    const output = patternBytes(100_000, 11);
    h.guest.write(
      'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nKeep-Alive: timeout=5\r\n' +
        'Api-Version: 1.41\r\n\r\n',
    );
    h.guest.write(output);
    await h.fromBridge.bytes(100_000);
    h.client.end('stdin');
    await h.toGuest.end();
    expect(h.toGuest.text.slice(request.size)).toBe('stdin');
    h.guest.end('tail');
    const response = parseResponse(await h.fromBridge.end());
    expect(response.head).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nApi-Version: 1.41\r\n\r\n',
    );
    expect(response.body === `${latin1(output)}tail`).toBe(true);
    expect(await h.outcome).toEqual({ kind: 'hijacked', status: 200 });
  });
});

describe('bridgeUpgrade: non-101 answers relayed whole (UPG-7, UPG-9, UPG-18, UPG-20)', () => {
  it('relays a 404 JSON error with its length, keeping the headers in order with duplicates', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    const body = '{"message":"No such container: abc"}\n';
    h.guest.write(
      `HTTP/1.1 404 Not Found\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nX-Dup: a\r\n` +
        `Content-Length: ${body.length}\r\nX-Dup: b\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive, X-Hop\r\n` +
        `X-Hop: 1\r\nUpgrade: tcp\r\nTrailer: X-T\r\nProxy-Connection: close\r\n\r\n${body}`,
    );
    const response = parseResponse(await h.fromBridge.end());
    expect(response.head).toBe(
      'HTTP/1.1 404 Not Found\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nX-Dup: a\r\nX-Dup: b\r\n' +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.body).toBe(body);
    h.client.end();
    expect(await h.outcome).toEqual({ kind: 'relayed', status: 404 });
  });

  it('relays a chunked 500 whole, re-chunked, trailers dropped', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    const big = 'x'.repeat(20_000);
    h.guest.write(
      'HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    h.guest.write(`c;ext=1\r\n{"message":"\r\n${big.length.toString(16)}\r\n${big}\r\n`);
    h.guest.write('3\r\n"}\n\r\n0\r\nX-Trailer: t\r\n\r\n');
    const response = parseResponse(await h.fromBridge.end());
    expect(response.status).toBe(500);
    expect(response.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['Transfer-Encoding', 'chunked'],
      ['Connection', 'close'],
    ]);
    expect(dechunk(response.body)).toBe(`{"message":"${big}"}\n`);
    h.client.end();
    expect(await h.outcome).toEqual({ kind: 'relayed', status: 500 });
  });

  it('relays a body far larger than 8192 bytes, by length and up to the close', async () => {
    const body = latin1(patternBytes(300_000, 9));
    const sized = start();
    await guestRequest(sized.toGuest);
    sized.guest.write(`HTTP/1.1 409 Conflict\r\nContent-Length: ${body.length}\r\n\r\n`);
    sized.guest.write(Buffer.from(body, 'latin1'));
    const bySize = parseResponse(await sized.fromBridge.end());
    expect(bySize.body === body).toBe(true);
    sized.client.end();
    expect(await sized.outcome).toEqual({ kind: 'relayed', status: 409 });

    const closing = start();
    await guestRequest(closing.toGuest);
    closing.guest.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n');
    closing.guest.end(Buffer.from(body, 'latin1'));
    const byClose = parseResponse(await closing.fromBridge.end());
    expect(byClose.headers).toEqual([
      ['Content-Type', 'text/plain'],
      ['Connection', 'close'],
    ]);
    expect(byClose.body === body).toBe(true);
    closing.client.end();
    expect(await closing.outcome).toEqual({ kind: 'relayed', status: 200 });
  });

  it('relays no body for a 204 and ignores bytes past a Content-Length body', async () => {
    const empty = start();
    await guestRequest(empty.toGuest);
    empty.guest.write('HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n');
    expect(await empty.fromBridge.end()).toBe('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
    empty.client.end();
    expect(await empty.outcome).toEqual({ kind: 'relayed', status: 204 });

    const extra = start();
    await guestRequest(extra.toGuest);
    extra.guest.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nokEXTRA');
    expect(parseResponse(await extra.fromBridge.end()).body).toBe('ok');
    extra.client.end();
    expect((await extra.outcome).status).toBe(400);
  });

  it('resets the client when the body stops short of its Content-Length', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 100\r\n\r\nonly part');
    const error = await h.fromBridge.failure();
    expect(error.code).toBe('ECONNRESET');
    const outcome = await h.outcome;
    expect(outcome).toMatchObject({ kind: 'relayed', status: 500 });
    expect(outcome.error?.code).toBe('ERR_BRIDGE_BODY_INCOMPLETE');
  });

  it('resets the client when the guest goes silent mid-body (UPG-19), within the deadline', async () => {
    const h = start({ options: { handshakeTimeoutMs: 150 } });
    await guestRequest(h.toGuest);
    h.guest.write('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 100\r\n\r\npart');
    await h.fromBridge.includes('part');
    const started = Date.now();
    expect((await h.fromBridge.failure(2000)).code).toBe('ECONNRESET');
    expect(Date.now() - started).toBeLessThan(1500);
    const outcome = await h.outcome;
    expect(outcome.error).toMatchObject({ code: 'ERR_BRIDGE_BODY_INCOMPLETE', reason: 'timeout' });
    await h.toGuest.until((r) => r.ended || r.closed, 'the guest connection to end');
  });

  it('does not count a slow client against the guest: the idle clock stops while the client does not read', async () => {
    const [client, clientEnd] = createMemoryDuplexPair({ highWaterMark: 1024 });
    const [guestEnd, guest] = createMemoryDuplexPair({ highWaterMark: 1024 });
    const toGuest = new StreamReader(guest);
    const outcome = bridgeUpgrade(clientEnd, Buffer.alloc(0), ATTACH, guestEnd, { handshakeTimeoutMs: 100 });
    onTestFinished(async () => {
      client.destroy();
      guest.destroy();
      await outcome;
    });
    await guestRequest(toGuest);
    const body = patternBytes(512 * 1024, 13);
    guest.write(`HTTP/1.1 500 Internal Server Error\r\nContent-Length: ${body.length}\r\n\r\n`);
    for (let at = 0; at < body.length; at += 4096) guest.write(body.subarray(at, at + 4096));
    guest.end();
    // The client reads nothing for three idle periods, then everything.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const fromBridge = new StreamReader(client);
    const response = parseResponse(await fromBridge.end(5000));
    expect(response.body === latin1(body)).toBe(true);
    client.end();
    expect(await outcome).toEqual({ kind: 'relayed', status: 500 });
  });

  it('resets the client on malformed chunking', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.write('HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    expect((await h.fromBridge.failure()).code).toBe('ECONNRESET');
    expect((await h.outcome).error).toMatchObject({
      code: 'ERR_BRIDGE_BODY_INCOMPLETE',
      reason: 'malformed',
    });
  });
});

describe('bridgeUpgrade: guest failures before an answer (UPG-3..UPG-8)', () => {
  const expectDockerError = async (h: Harness, status: number, code: string): Promise<void> => {
    const response = parseResponse(await h.fromBridge.end());
    expect(response.status).toBe(status);
    expect(response.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['Content-Length', String(response.body.length)],
      ['Connection', 'close'],
    ]);
    expect(JSON.parse(response.body)).toEqual({ message: expect.any(String) as unknown });
    h.client.end();
    const outcome = await h.outcome;
    expect(outcome).toMatchObject({ kind: 'failed', status });
    expect(outcome.error?.code).toBe(code);
    await h.toGuest.until((r) => r.ended || r.closed, 'the guest connection to end');
  };

  it('accepts a head of exactly 8192 bytes, CRLFCRLF included (UPG-6)', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    const prefix = 'HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\nX-Pad: ';
    const head = `${prefix}${'p'.repeat(8192 - prefix.length - 4)}\r\n\r\n`;
    expect(head.length).toBe(8192);
    h.guest.end(`${head}after`);
    expect(await h.fromBridge.end()).toBe(
      'HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nafter',
    );
    h.client.end();
    expect((await h.outcome).kind).toBe('upgraded');
  });

  it('refuses a head of 8193 bytes with a 502 (UPG-6)', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    const prefix = 'HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\nX-Pad: ';
    h.guest.write(`${prefix}${'p'.repeat(8193 - prefix.length - 4)}\r\n\r\n`);
    await expectDockerError(h, 502, 'ERR_BRIDGE_BAD_RESPONSE');
  });

  it('answers 504 with a Docker error within the deadline when the guest stays silent (UPG-8)', async () => {
    const startedAt = Date.now();
    const h = start({ options: { handshakeTimeoutMs: 200 } });
    await guestRequest(h.toGuest);
    await h.fromBridge.includes('\r\n\r\n', 2000);
    const elapsed = Date.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1200);
    await expectDockerError(h, 504, 'ERR_BRIDGE_HANDSHAKE_TIMEOUT');
  });

  it('answers 502 when the guest closes before answering (UPG-4)', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.end();
    await expectDockerError(h, 502, 'ERR_BRIDGE_GUEST_CLOSED');
  });

  it('answers 502 when the guest closes in the middle of its head (UPG-4)', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.end('HTTP/1.1 101 UPGRADED\r\nUpgr');
    await expectDockerError(h, 502, 'ERR_BRIDGE_GUEST_CLOSED');
  });

  it('answers 502 when the guest resets the connection before answering (UPG-3)', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    resetMemorySocket(h.guest);
    await expectDockerError(h, 502, 'ERR_BRIDGE_GUEST_CONNECTION');
  });

  it('ignores the reason phrase but answers 502 for a malformed status line (UPG-5)', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.write('HTTP/1.1 abc nope\r\n\r\n');
    await expectDockerError(h, 502, 'ERR_BRIDGE_BAD_RESPONSE');
  });

  it('answers 502 for a malformed header line or an untrustworthy Content-Length (UPG-7, UPG-9)', async () => {
    const colon = start();
    await guestRequest(colon.toGuest);
    colon.guest.write('HTTP/1.1 101 UPGRADED\r\nUpgrade : tcp\r\n\r\n');
    await expectDockerError(colon, 502, 'ERR_BRIDGE_BAD_RESPONSE');

    const length = start();
    await guestRequest(length.toGuest);
    length.guest.write('HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd');
    await expectDockerError(length, 502, 'ERR_BRIDGE_BAD_RESPONSE');
  });

  it('closes the guest and reports the client gone when the client leaves during the handshake', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    resetMemorySocket(h.client);
    await h.toGuest.until((r) => r.ended || r.closed, 'the guest connection to end');
    const outcome = await h.outcome;
    expect(outcome.kind).toBe('failed');
    expect(outcome.status).toBeUndefined();
    expect(outcome.error?.code).toBe('ERR_BRIDGE_CLIENT_GONE');
  });
});

describe('bridgeUpgrade: failures and backpressure mid-stream (UPG-17, UPG-21)', () => {
  it('resets the client when the guest resets mid-stream, so the client never hangs', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.write(`${UPGRADED}partial`);
    await h.fromBridge.includes('partial');
    resetMemorySocket(h.guest);
    expect((await h.fromBridge.failure()).code).toBe('ECONNRESET');
    const outcome = await h.outcome;
    expect(outcome).toMatchObject({ kind: 'upgraded', status: 101 });
    expect(outcome.error).toMatchObject({ code: 'ERR_BRIDGE_STREAM_RESET', side: 'guest' });
  });

  it('resets the guest when the client resets mid-stream', async () => {
    const h = start();
    await guestRequest(h.toGuest);
    h.guest.write(UPGRADED);
    await h.fromBridge.includes('\r\n\r\n');
    resetMemorySocket(h.client);
    expect((await h.toGuest.failure()).code).toBe('ECONNRESET');
    expect((await h.outcome).error).toMatchObject({ code: 'ERR_BRIDGE_STREAM_RESET', side: 'client' });
  });

  it('stops reading the guest while the client does not read, then delivers everything', async () => {
    const [client, clientEnd] = createMemoryDuplexPair({ highWaterMark: 1024 });
    const [guestEnd, guest] = createMemoryDuplexPair({ highWaterMark: 1024 });
    const toGuest = new StreamReader(guest);
    const outcome = bridgeUpgrade(clientEnd, Buffer.alloc(0), ATTACH, guestEnd);
    onTestFinished(async () => {
      client.destroy();
      guest.destroy();
      await outcome;
    });
    await guestRequest(toGuest);
    guest.write(UPGRADED);
    // The client reads nothing: the guest's writes must stall far short of the 4 MiB.
    const total = 4 * 1024 * 1024;
    const chunk = patternBytes(16 * 1024);
    let accepted = 0;
    let written = 0;
    const pump = async (): Promise<void> => {
      while (written < total) {
        written += chunk.length;
        await new Promise<void>((resolve, reject) =>
          guest.write(chunk, (error) => (error ? reject(error) : resolve())),
        );
        accepted += chunk.length;
      }
      guest.end();
    };
    const pumping = pump();
    let last = -1;
    while (accepted !== last) {
      last = accepted;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(accepted).toBeLessThan(256 * 1024);
    const fromBridge = new StreamReader(client);
    client.end();
    await pumping;
    await fromBridge.end(10_000);
    expect(fromBridge.text.length).toBe(UPGRADED.length + total);
    expect(await outcome).toEqual({ kind: 'upgraded', status: 101 });
  });
});
