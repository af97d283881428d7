import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHeadReader } from '../../protocol/head-reader.js';
import { getHeader } from '../../protocol/header-list.js';
import type { RequestHead } from '../../protocol/http-head.js';
import { encodeFrame } from '../../protocol/stdcopy-encoder.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { createChunkedDecoder } from '../http/chunked-decoder.js';
import { listenUnix, tempSocketPath, type UnixListener } from '../vsock/index.js';
import { checkLedger } from './check-ledger.js';
import { compareRecords } from './compare-records.js';
import { expandTemplate } from './expand-template.js';
import { fidelityScenarios, countSteps } from './fidelity-scenarios.js';
import { formatFidelityReport } from './format-fidelity-report.js';
import { normaliseAnswer, type Norm, type Observation } from './normalise-answer.js';
import { openRawConnection, rawExchange } from './raw-connection.js';
import { runFidelity } from './run-fidelity.js';
import { assertValidScenario, runScenario } from './run-scenario.js';
import type { Scenario } from './scenario.js';
import { buildTar, parseTar } from './tar-archive.js';

useLeakCheck();

// ---------------------------------------------------------------------------------------------
// Small in-process servers on temp unix sockets

interface FakeRequest {
  readonly head: RequestHead;
  readonly body: Buffer;
  readonly socket: Duplex;
}

/** What a fake answers: raw bytes to write (the connection stays open), or it handles the socket. */
type FakeHandler = (request: FakeRequest) => { readonly raw: string | Buffer } | 'handled';

/** A server that parses request heads and Content-Length or chunked bodies, keep-alive. */
async function startFake(name: string, handler: FakeHandler): Promise<UnixListener> {
  const path = await tempSocketPath(name);
  return listenUnix(path, (socket) => {
    let reader = createHeadReader({ kind: 'request' });
    let buffered: Buffer = Buffer.alloc(0);
    let head: RequestHead | undefined;
    let hijacked = false;
    const drain = (): void => {
      while (!hijacked) {
        if (!head) {
          const state = reader.push(buffered);
          buffered = Buffer.alloc(0);
          if (state.state !== 'done') return;
          head = state.head;
          buffered = state.rest;
        }
        let body: Buffer;
        if (/chunked/i.test(getHeader(head.headers, 'transfer-encoding') ?? '')) {
          const decoder = createChunkedDecoder();
          const decoded = decoder.push(buffered);
          if (!decoded.done) return;
          body = decoded.data;
          buffered = decoded.rest;
        } else {
          const length = Number(getHeader(head.headers, 'content-length') ?? 0);
          if (buffered.length < length) return;
          body = buffered.subarray(0, length);
          buffered = buffered.subarray(length);
        }
        const answer = handler({ head, body, socket });
        head = undefined;
        reader = createHeadReader({ kind: 'request' });
        if (answer === 'handled') {
          hijacked = true;
          return;
        }
        socket.write(answer.raw);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      if (hijacked) return;
      buffered = Buffer.concat([buffered, chunk]);
      drain();
    });
    socket.on('end', () => {
      if (!hijacked) socket.end();
    });
    socket.on('error', () => undefined);
  });
}

function response(
  status: string,
  headers: readonly (readonly [string, string])[],
  body = '',
): { raw: string } {
  const lines = [`HTTP/1.1 ${status}`, ...headers.map(([name, value]) => `${name}: ${value}`)];
  return { raw: `${lines.join('\r\n')}\r\n\r\n${body}` };
}

function json(
  status: string,
  value: unknown,
  extra: readonly (readonly [string, string])[] = [],
): { raw: string } {
  const body = JSON.stringify(value);
  return response(
    status,
    [
      ['Api-Version', '1.41'],
      ['Content-Type', 'application/json'],
      ['Content-Length', String(Buffer.byteLength(body))],
      ...extra,
    ],
    body,
  );
}

const GET = (target: string) => ({
  method: 'GET',
  target,
  headers: [['Host', 'localhost']] as const,
});

// ---------------------------------------------------------------------------------------------

describe('raw client', () => {
  it('reads Content-Length answers, two on one keep-alive connection', async () => {
    await using server = await startFake('cl', ({ head }) => json('200 OK', { target: head.target }));
    await using connection = await openRawConnection(server.path);
    for (const target of ['/one', '/two']) {
      const answer = await connection.send(GET(target));
      expect(answer.framing).toBe('content-length');
      const body = await connection.readBody(answer);
      expect(JSON.parse(body.bytes.toString())).toEqual({ target });
    }
    expect(server.accepted).toBe(1);
  });

  it('de-chunks a chunked answer and counts its chunks', async () => {
    await using server = await startFake('chunked', ({ socket }) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a');
      setTimeout(() => socket.write('\r\n5\r\n":1}\n\r\n0\r\n\r\n'), 5);
      return 'handled';
    });
    const answer = await rawExchange(server.path, GET('/x'));
    expect(answer.framing).toBe('chunked');
    expect(answer.chunks).toBe(2);
    expect(answer.bytes.toString()).toBe('{"a":1}\n');
  });

  it('rejects malformed chunking of an answer with ERR_FIDELITY_MALFORMED_RESPONSE', async () => {
    await using server = await startFake('bad-chunk', ({ socket }) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
      return 'handled';
    });
    await expect(rawExchange(server.path, GET('/x'))).rejects.toMatchObject({
      code: 'ERR_FIDELITY_MALFORMED_RESPONSE',
    });
  });

  it('reads a close-delimited answer until the server closes', async () => {
    await using server = await startFake('close', ({ socket }) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nsome');
      setTimeout(() => socket.end(' bytes'), 5);
      return 'handled';
    });
    const answer = await rawExchange(server.path, GET('/x'));
    expect(answer.framing).toBe('close');
    expect(answer.bytes.toString()).toBe('some bytes');
  });

  it('hijacks after a 101, sends stdin, half-closes and still reads the answer to it', async () => {
    await using server = await startFake('upgrade', ({ socket }) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      const input: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => input.push(chunk));
      // Answers only after the client's FIN: lost if the client socket were not half-open.
      socket.on('end', () => socket.end(Buffer.concat(input).toString().toUpperCase()));
      return 'handled';
    });
    await using connection = await openRawConnection(server.path);
    const answer = await connection.send({
      method: 'POST',
      target: '/attach',
      headers: [
        ['Connection', 'Upgrade'],
        ['Upgrade', 'tcp'],
        ['Content-Length', '0'],
      ],
    });
    expect(answer).toMatchObject({ framing: 'hijack', head: { status: 101, reason: 'UPGRADED' } });
    connection.write(Buffer.from('hello'));
    connection.halfClose();
    expect((await connection.readBody(answer)).bytes.toString()).toBe('HELLO');
  });

  it('reads no body after HEAD even with a Content-Length', async () => {
    await using server = await startFake('head', () =>
      response('200 OK', [
        ['Content-Length', '2'],
        ['Api-Version', '1.41'],
      ]),
    );
    await using connection = await openRawConnection(server.path);
    const answer = await connection.send({ method: 'HEAD', target: '/_ping', headers: [] });
    expect(answer.framing).toBe('content-length');
    expect((await connection.readBody(answer)).bytes.length).toBe(0);
  });

  it('gives up with ERR_FIDELITY_TIMEOUT when no head comes', async () => {
    await using server = await startFake('silent', () => 'handled');
    await expect(rawExchange(server.path, GET('/x'), { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'ERR_FIDELITY_TIMEOUT',
    });
  });

  it('reports ERR_FIDELITY_CLOSED when the body is cut short', async () => {
    await using server = await startFake('short', ({ socket }) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      return 'handled';
    });
    await expect(rawExchange(server.path, GET('/x'))).rejects.toMatchObject({ code: 'ERR_FIDELITY_CLOSED' });
  });
});

// ---------------------------------------------------------------------------------------------

const ID = 'a'.repeat(32) + 'b'.repeat(32);
const OTHER = 'c'.repeat(64);
const RUN = 'fid123abc';

function observation(status: number, body: unknown, extra: Partial<Observation> = {}): Observation {
  return {
    part: 'full',
    method: 'GET',
    status,
    reason: 'OK',
    headers: [
      ['Content-Type', 'application/json'],
      ['Date', new Date().toUTCString()],
    ],
    framing: 'content-length',
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    decode: 'auto',
    ...extra,
  };
}

const context = (used: readonly string[] = []) => ({
  run: RUN,
  vars: new Map([
    ['ctr', ID],
    ['img', `sha256:${OTHER}`],
    ['amb', '1'],
  ]),
  used: new Set(used),
});

describe('normaliseAnswer', () => {
  it('replaces captured IDs, short IDs, names and times in kept strings', () => {
    const record = normaliseAnswer(
      observation(409, {
        message: `Conflict. The container name "/${RUN}-web" is already in use by container "${ID}" (${ID.slice(0, 12)}), image sha256:${OTHER} at 2026-11-23T02:23:17.123456789Z`,
      }),
      context(),
    );
    expect(record).toMatchObject({
      status: 409,
      body: {
        message:
          'Conflict. The container name "/<run>-web" is already in use by container "<ctr>" (<ctr:12>), image <img> at <time>',
      },
    });
  });

  it('keeps the registry host of a failed pull but not how the host network failed the lookup', () => {
    const failures = [
      'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.2:53: no such host',
      'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: i/o timeout',
      'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on [::1]:53: server misbehaving',
    ];
    const expected = {
      body: {
        message:
          'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: <dns failure>',
      },
    };
    for (const message of failures) {
      expect(normaliseAnswer(observation(500, { message }), context())).toMatchObject(expected);
    }
    const other = normaliseAnswer(
      observation(500, { message: 'dial tcp: lookup quay.io: i/o timeout' }),
      context(),
    );
    expect(other).toMatchObject({ body: { message: 'dial tcp: lookup quay.io: <dns failure>' } });
  });

  it('replaces a short value only where the step sent it, and only as a standalone token', () => {
    const body = { message: 'Multiple IDs found with provided prefix: 1' };
    const headers = [['Api-Version', '1.41']] as const;
    expect(normaliseAnswer(observation(500, body, { headers }), context(['amb']))).toMatchObject({
      headers: { 'api-version': '1.41' },
      body: { message: 'Multiple IDs found with provided prefix: <amb>' },
    });
    expect(normaliseAnswer(observation(500, body), context())).toMatchObject({ body: body });
  });

  it('reduces unkept values to types, keeps key sets, and keeps contract values', () => {
    const record = normaliseAnswer(
      observation(200, {
        Id: ID,
        Name: `/${RUN}-web`,
        Created: '2026-11-23T02:23:17.1Z',
        SizeRw: 12,
        State: { Status: 'exited', Running: false, ExitCode: 137, Pid: 0, StartedAt: '0001-01-01T00:00:00Z' },
        Config: { Cmd: ['sleep', '300'], Hostname: 'a1b2c3', Labels: { 'berth.fidelity.run': RUN } },
        Mounts: [],
        HostConfig: { Binds: null },
      }),
      context(),
    ) as { body: Norm };
    expect(record.body).toEqual({
      Id: '<ctr>',
      Name: '/<run>-web',
      Created: '<string>',
      SizeRw: '<number>',
      State: {
        Status: 'exited',
        Running: false,
        ExitCode: 137,
        Pid: '<number>',
        StartedAt: '0001-01-01T00:00:00Z',
      },
      Config: { Cmd: ['sleep', '300'], Hostname: '<string>', Labels: { 'berth.fidelity.run': '<run>' } },
      Mounts: [],
      HostConfig: { Binds: null },
    });
  });

  it('turns arrays of shape-only documents into sets of shapes, keeping named values', () => {
    const a = normaliseAnswer(
      observation(200, { ApiVersion: '1.41', Components: [{ Name: 'Engine' }, { Name: 'runc' }] }),
      context(),
      { shapeOnly: true, keep: ['ApiVersion'] },
    );
    expect(a).toMatchObject({ body: { ApiVersion: '1.41', Components: { $bag: [{ Name: '<string>' }] } } });
  });

  it('keeps only the compared headers, lower-cases Connection and decodes the path stat', () => {
    const stat = Buffer.from(
      JSON.stringify({ name: 'f.txt', size: 9, mode: 420, mtime: '2026-11-23T02:25:29.66Z', linkTarget: '' }),
    ).toString('base64');
    const record = normaliseAnswer(
      observation(200, '', {
        headers: [
          ['Connection', 'Upgrade'],
          ['Server', 'Docker/20.10.24+dfsg1 (linux)'],
          ['X-Docker-Container-Path-Stat', stat],
          ['Date', 'now'],
        ],
      }),
      context(),
    );
    expect(record).toMatchObject({
      headers: {
        connection: 'upgrade',
        server: 'Docker/<version> (linux)',
        'x-docker-container-path-stat': {
          name: 'f.txt',
          size: 9,
          mode: 420,
          mtime: '<string>',
          linkTarget: '',
        },
      },
      body: '',
    });
    expect(Object.keys((record as { headers: object }).headers)).not.toContain('date');
  });

  it('decodes stdcopy streams per stream, whatever the framing', () => {
    const frames = Buffer.concat([
      encodeFrame('stdout', Buffer.from('o')),
      encodeFrame('stderr', Buffer.from('err\n')),
      encodeFrame('stdout', Buffer.from(`ut ${RUN}\n`)),
    ]);
    const record = normaliseAnswer(observation(101, '', { body: frames, decode: 'stdcopy' }), context());
    expect(record).toMatchObject({ body: { stdout: 'out <run>\n', stderr: 'err\n' } });
    const raw = normaliseAnswer(
      observation(200, '', { body: Buffer.from('out\r\nerr\r\n'), decode: 'stdcopy' }),
      context(),
    );
    expect(raw).toMatchObject({ body: { decodeError: 'ERR_STDCOPY_BAD_STREAM' } });
  });

  it('decodes error answers as JSON whatever the step expected', () => {
    const record = normaliseAnswer(
      observation(404, { message: `No such container: ${ID}` }, { decode: 'tar' }),
      context(),
    );
    expect(record).toMatchObject({ body: { message: 'No such container: <ctr>' } });
  });

  it('lists tar entries with their contents', () => {
    const tar = buildTar([{ name: 'f.txt', content: Buffer.from(`hi ${RUN}\n`) }]);
    expect(parseTar(tar)).toMatchObject([{ name: 'f.txt', type: 'file', size: 13, mode: 0o644 }]);
    const record = normaliseAnswer(observation(200, '', { body: tar, decode: 'tar' }), context());
    expect(record).toMatchObject({
      body: [{ name: 'f.txt', type: 'file', size: 13, content: 'hi <run>\n' }],
    });
  });

  it('records a held head without body and a release without head', () => {
    const head = normaliseAnswer(observation(200, '{"StatusCode":3}', { part: 'head' }), context());
    expect(head).not.toHaveProperty('body');
    const body = normaliseAnswer(observation(200, '{"StatusCode":3}', { part: 'body' }), context());
    expect(body).toEqual({ body: { StatusCode: 3 } });
  });
});

describe('compareRecords', () => {
  it('reports a changed status and a changed kept value by path', () => {
    expect(
      compareRecords(
        { status: 204, body: { State: { Status: 'running' } } },
        { status: 200, body: { State: { Status: 'exited' } } },
      ),
    ).toEqual([
      { path: 'body.State.Status', a: '"running"', b: '"exited"' },
      { path: 'status', a: '204', b: '200' },
    ]);
  });

  it('reports each key present on one side only, without descending into it', () => {
    expect(compareRecords({ body: { a: 1, b: { c: 2 } } }, { body: { a: 1, d: null } })).toEqual([
      { path: 'body.b', a: '{"c":2}', b: '<absent>' },
      { path: 'body.d', a: '<absent>', b: 'null' },
    ]);
  });

  it('reports array lengths and label keys with dots', () => {
    expect(compareRecords({ l: { 'a.b': [1, 2] } }, { l: { 'a.b': [1] } })).toEqual([
      { path: 'l["a.b"].length', a: '2', b: '1' },
    ]);
  });

  it('compares bags as sets', () => {
    expect(compareRecords({ $bag: [1, 2] }, { $bag: [2, 1] })).toEqual([]);
    expect(compareRecords({ x: { $bag: [1, 2] } }, { x: { $bag: [2] } })).toEqual([
      { path: 'x[*]', a: '[1]', b: '<absent>' },
    ]);
  });
});

describe('templates and scenarios', () => {
  it('expands variables, short IDs, names and the run prefix', () => {
    const scope = { run: RUN, vars: new Map([['img', `sha256:${OTHER}`]]) };
    expect(expandTemplate('/images/{{img:12}}/{{name:web}}/{{run}}/{{img}}', scope)).toBe(
      `/images/${OTHER.slice(0, 12)}/${RUN}-web/${RUN}/sha256:${OTHER}`,
    );
    expect(() => expandTemplate('{{nope}}', scope)).toThrow(
      expect.objectContaining({ code: 'ERR_FIDELITY_MISSING_VARIABLE' }),
    );
  });

  it('rejects a release of nothing held and duplicate names', () => {
    const bad: Scenario = { name: 'bad', steps: [{ name: 'r', kind: 'release', of: 'x' }] };
    expect(() => assertValidScenario(bad)).toThrow(
      expect.objectContaining({ code: 'ERR_FIDELITY_INVALID_SCENARIO' }),
    );
    const twice: Scenario = {
      name: 'twice',
      steps: [
        { name: 's', method: 'GET', path: '/' },
        { name: 's', method: 'GET', path: '/' },
      ],
    };
    expect(() => assertValidScenario(twice)).toThrow(
      expect.objectContaining({ code: 'ERR_FIDELITY_INVALID_SCENARIO' }),
    );
  });

  it('the shipped scenarios are valid and have at least 60 steps', () => {
    for (const scenario of fidelityScenarios) assertValidScenario(scenario);
    expect(countSteps(fidelityScenarios)).toBeGreaterThanOrEqual(60);
  });
});

// ---------------------------------------------------------------------------------------------
// A fake daemon with just enough API for a small scenario, and variants that differ from it.

interface FakeDaemonOptions {
  /** Status of container inspect (200 in the faithful one). */
  readonly inspectStatus?: number;
  /** Leave `State.Pid` out of inspect. */
  readonly withoutPid?: boolean;
  /** Answer wait with an unterminated head only (never flushes the body). */
  readonly stallWait?: boolean;
}

async function startFakeDaemon(name: string, options: FakeDaemonOptions = {}): Promise<UnixListener> {
  const containers = new Map<string, { name: string; labels: Record<string, string> }>();
  return startFake(name, ({ head, body, socket }) => {
    const path = head.target.split('?')[0] ?? '';
    const query = new URLSearchParams(head.target.split('?')[1] ?? '');
    if (head.method === 'POST' && path === '/v1.41/containers/create') {
      const id = randomBytes(32).toString('hex');
      const config = JSON.parse(body.toString()) as { Labels?: Record<string, string> };
      containers.set(id, { name: query.get('name') ?? '', labels: config.Labels ?? {} });
      return json('201 Created', { Id: id, Warnings: [] });
    }
    const inspect = /^\/v1\.41\/containers\/([^/]+)\/json$/.exec(path);
    if (head.method === 'GET' && inspect) {
      const key = inspect[1] ?? '';
      const entry = [...containers].find(([id, c]) => id === key || c.name === key);
      if (!entry) return json('404 Not Found', { message: `No such container: ${key}` });
      const state = options.withoutPid
        ? { Status: 'created' }
        : { Status: 'created', Pid: Math.floor(Math.random() * 1e5) };
      const status = options.inspectStatus ?? 200;
      return json(`${status} X`, {
        Id: entry[0],
        Name: `/${entry[1].name}`,
        Created: new Date().toISOString(),
        State: state,
      });
    }
    const wait = /^\/v1\.41\/containers\/([^/]+)\/wait$/.exec(path);
    if (head.method === 'POST' && wait) {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const result = '{"Error":null,"StatusCode":0}';
      const chunk = `${result.length.toString(16)}\r\n${result}\r\n0\r\n\r\n`;
      if (!options.stallWait) setTimeout(() => socket.write(chunk), 20);
      return 'handled';
    }
    if (head.method === 'GET' && path === '/v1.41/containers/json') {
      const list = [...containers].map(([id, c]) => ({ Id: id, Names: [`/${c.name}`], Labels: c.labels }));
      return json('200 OK', list);
    }
    const remove = /^\/v1\.41\/containers\/([^/]+)$/.exec(path);
    if (head.method === 'DELETE' && remove) {
      containers.delete(remove[1] ?? '');
      return response('204 No Content', []);
    }
    if (head.method === 'GET' && path === '/v1.41/images/json') return json('200 OK', []);
    return json('404 Not Found', { message: 'page not found' });
  });
}

const small: Scenario = {
  name: 'small',
  steps: [
    {
      name: 'create',
      method: 'POST',
      path: '/v1.41/containers/create',
      query: { name: '{{name:web}}' },
      json: { Image: 'x', Labels: { 'berth.fidelity.run': '{{run}}' } },
      capture: { web: 'Id' },
      expect: 201,
    },
    {
      name: 'wait (head)',
      method: 'POST',
      path: '/v1.41/containers/{{web}}/wait',
      hold: 'w',
      headTimeoutMs: 500,
    },
    { name: 'inspect', method: 'GET', path: '/v1.41/containers/{{name:web}}/json', expect: 200 },
    { name: 'inspect unknown', method: 'GET', path: '/v1.41/containers/{{name:nope}}/json', expect: 404 },
    { name: 'wait (body)', kind: 'release', of: 'w', timeoutMs: 300 },
  ],
};

describe('runFidelity', () => {
  it('matches a daemon against itself, names and IDs normalised, and sweeps what it created', async () => {
    await using a = await startFakeDaemon('fa');
    const report = await runFidelity({ a: a.path, b: a.path, scenarios: [small] });
    expect(formatFidelityReport(report)).toBe('fidelity: 5/5 steps match');
    expect(report.scenarioFailures).toEqual([]);
    expect(report.runs.a[0]).not.toBe(report.runs.b[0]);
    const left = await rawExchange(a.path, GET('/v1.41/containers/json'));
    expect(JSON.parse(left.bytes.toString())).toEqual([]);
  });

  it('reports a changed status, a missing key and a stalled long-poll, and checks the ledger both ways', async () => {
    await using a = await startFakeDaemon('fa');
    await using b = await startFakeDaemon('fb', { inspectStatus: 500, withoutPid: true, stallWait: true });
    const report = await runFidelity({ a: a.path, b: b.path, scenarios: [small] });
    expect(report.matched).toBe(3);
    const mismatches = report.steps.flatMap((step) =>
      step.mismatches.map((m) => ({ step: step.step, ...m })),
    );
    expect(mismatches).toEqual([
      { step: 'inspect', path: 'body.State.Pid', a: '"<number>"', b: '<absent>' },
      { step: 'inspect', path: 'status', a: '200', b: '500' },
      { step: 'wait (body)', path: 'body', a: '{"Error":null,"StatusCode":0}', b: '<absent>' },
      { step: 'wait (body)', path: 'error', a: '<absent>', b: '"ERR_FIDELITY_TIMEOUT"' },
    ]);
    const text = formatFidelityReport(report);
    expect(text.split('\n')[0]).toBe('fidelity: 3/5 steps match');
    expect(text).toContain('small / inspect  status: real 200 vs simulated 500');

    const ledger = [
      { step: 'small / inspect', path: 'status', reason: 'on purpose' },
      { step: 'small / wait*', path: '*', reason: 'stalls' },
      { step: 'small / create', path: 'status', reason: 'no longer differs' },
    ];
    const check = checkLedger(report, ledger);
    expect(check.unexpected.map((m) => `${m.step} ${m.path}`)).toEqual(['small / inspect body.State.Pid']);
    expect(check.known).toHaveLength(3);
    expect(check.stale).toEqual([ledger[2]]);
    expect(formatFidelityReport(report, { ledger: check })).toContain(
      'stale ledger entry: small / create  status',
    );
  });

  it('records a step whose variable was never captured, and goes on', async () => {
    await using a = await startFakeDaemon('fa');
    const run = await runScenario(a.path, {
      name: 'missing',
      steps: [
        { name: 'uses nothing captured', method: 'GET', path: '/v1.41/containers/{{ghost}}/json' },
        { name: 'still runs', method: 'GET', path: '/v1.41/containers/json' },
      ],
    });
    expect(run.steps.map((step) => step.record)).toMatchObject([
      { error: 'ERR_FIDELITY_MISSING_VARIABLE' },
      { status: 200, body: [] },
    ]);
  });
});
