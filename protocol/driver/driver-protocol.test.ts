import { describe, expect, it } from 'vitest';
import { MockRuntime } from '../../simulators/runtimes/index.js';
import {
  DriverBadRequestError,
  DriverRemoteError,
  DriverUnknownHandleError,
  RUNTIME_METHODS,
  UNSPECIFIED_ERROR_CODE,
  decodeError,
  decodeResult,
  decodeRuntimeResult,
  decodeValue,
  encodeArgs,
  encodeError,
  encodeMessage,
  encodeValue,
  parseHandle,
  parseHello,
  parseMessage,
} from './driver-protocol.js';
import {
  PullFailedError,
  RouteToPeerError,
  RuntimeInternalError,
  RuntimeNotFoundError,
  RuntimeUnsupportedError,
  WrongPlatformError,
} from '../runtime-errors.js';

const thrown = (run: () => unknown): Record<string, unknown> => {
  try {
    run();
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected a throw');
};

/** Through the wire and back: encode, stringify, parse, decode. */
const roundTrip = (error: unknown): Error =>
  decodeError(JSON.parse(JSON.stringify(encodeError(error))) as ReturnType<typeof encodeError>);

describe('parseMessage', () => {
  it('reads requests and both kinds of response', () => {
    expect(parseMessage('{"id":1,"op":"registry.create"}')).toEqual({
      id: 1,
      op: 'registry.create',
      args: {},
    });
    expect(parseMessage('{"id":2,"op":"x","args":{"a":1}}')).toEqual({ id: 2, op: 'x', args: { a: 1 } });
    expect(parseMessage('{"id":3,"ok":true}')).toEqual({ id: 3, ok: true, result: null });
    expect(parseMessage('{"id":4,"ok":true,"result":[1]}')).toEqual({ id: 4, ok: true, result: [1] });
    expect(
      parseMessage('{"id":5,"ok":false,"error":{"code":"ERR_X","message":"m","details":{"k":1}}}'),
    ).toEqual({
      id: 5,
      ok: false,
      error: { code: 'ERR_X', message: 'm', details: { k: 1 } },
    });
  });

  it.each([
    ['not json', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"op":"x"}', '"id"'],
    ['{"id":-1,"op":"x"}', '"id"'],
    ['{"id":1.5,"op":"x"}', '"id"'],
    ['{"id":"1","op":"x"}', '"id"'],
    ['{"id":1}', 'neither'],
    ['{"id":1,"op":"x","ok":true}', 'both'],
    ['{"id":1,"op":7}', '"op"'],
    ['{"id":1,"op":"x","args":[1]}', '"args"'],
    ['{"id":1,"ok":"yes"}', '"ok"'],
    ['{"id":1,"ok":false}', '"error"'],
    ['{"id":1,"ok":false,"error":{"message":"m"}}', '"error.code"'],
    ['{"id":1,"ok":false,"error":{"code":"E"}}', '"error.message"'],
    ['{"id":1,"ok":false,"error":{"code":"E","message":"m","details":3}}', '"error.details"'],
  ])('refuses %s, naming the line and the problem', (line, problem) => {
    const error = thrown(() => parseMessage(line));
    expect(error.code).toBe('ERR_DRIVER_MALFORMED_LINE');
    expect(error.line).toBe(line);
    expect(error.problem).toContain(problem);
    expect(error.message).toContain(JSON.stringify(line));
  });

  it('clips a very long line in the message but keeps it whole on the error', () => {
    const line = `{"id":1,"op":"${'x'.repeat(5000)}`;
    const error = thrown(() => parseMessage(line));
    expect(error.line).toBe(line);
    expect((error.message as string).length).toBeLessThan(400);
  });

  it('encodes a message as one line', () => {
    const line = encodeMessage({ id: 1, ok: true, result: { text: 'a\nb' } });
    expect(line).not.toContain('\n');
    expect(parseMessage(line)).toEqual({ id: 1, ok: true, result: { text: 'a\nb' } });
  });
});

describe('values', () => {
  it('carries bytes as base64 and back as a Uint8Array', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const wire = encodeValue({ tar: bytes });
    expect(wire).toEqual({ tar: { $bytes: 'AAEC+v8=' } });
    const back = decodeValue(wire) as { tar: Uint8Array };
    expect(back.tar).toBeInstanceOf(Uint8Array);
    expect(back.tar).toEqual(bytes);
    expect(encodeValue(Buffer.from('hi').subarray(1))).toEqual({ $bytes: 'aQ==' });
  });

  it('leaves undefined fields out, turns undefined items into null and trims trailing undefined args', () => {
    expect(encodeValue({ a: 1, b: undefined, c: [undefined, 2] })).toEqual({ a: 1, c: [null, 2] });
    expect(encodeArgs([{ service: 'web', replica: 1 }, undefined])).toEqual([{ service: 'web', replica: 1 }]);
    expect(encodeArgs(['a', undefined, 'b'])).toEqual(['a', null, 'b']);
    expect(encodeValue(undefined)).toBeNull();
    expect(encodeValue(Number.NaN)).toBeNull();
    expect(decodeResult(null)).toBeUndefined();
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => encodeValue(10n)).toThrow(TypeError);
    expect(() => encodeValue(() => 1)).toThrow(TypeError);
  });

  it('hands streams out and pulls them in through the hooks', async () => {
    async function* numbers(): AsyncGenerator<number> {
      yield 1;
      yield 2;
    }
    const opened: AsyncIterable<unknown>[] = [];
    const wire = encodeValue(
      { stream: numbers() },
      { openStream: (iterable) => String(opened.push(iterable)) },
    );
    expect(wire).toEqual({ stream: { $stream: '1' } });
    expect(() => encodeValue(numbers())).toThrow(TypeError);

    const decoded = decodeValue(wire, { remoteStream: (id) => opened[Number(id) - 1]! }) as {
      stream: AsyncIterable<number>;
    };
    const items: number[] = [];
    for await (const item of decoded.stream) items.push(item);
    expect(items).toEqual([1, 2]);
  });

  it('accepts a JSON array for a stream method, as a stream that already ended', async () => {
    const stream = decodeRuntimeResult('logsStream', [
      { stream: 'stdout', data: 'x\n' },
    ]) as AsyncIterable<unknown>;
    const items: unknown[] = [];
    for await (const item of stream) items.push(item);
    expect(items).toEqual([{ stream: 'stdout', data: 'x\n' }]);
    expect(decodeRuntimeResult('listImages', [])).toEqual([]);
  });

  it('lists every Runtime method', () => {
    const methods = Object.keys(new MockRuntime('m')).filter(
      (key) => typeof (new MockRuntime('m') as unknown as Record<string, unknown>)[key] === 'function',
    );
    expect(new Set(RUNTIME_METHODS)).toEqual(new Set(methods));
  });
});

describe('errors', () => {
  it.each([
    [
      'NotFound',
      new RuntimeNotFoundError('svc-rep-1', 'no dispatch record'),
      { container: 'svc-rep-1', reason: 'no dispatch record' },
    ],
    ['Unsupported', new RuntimeUnsupportedError('logs_stream'), { operation: 'logs_stream' }],
    [
      'WrongPlatform',
      new WrongPlatformError('hcs', 'windows', 'linux', 'alpine'),
      { runtime: 'hcs', expected: 'windows', actual: 'linux', image: 'alpine' },
    ],
    [
      'RouteToPeer',
      new RouteToPeerError('web', 'linux', 'no Linux delegate'),
      { service: 'web', requiredOs: 'linux', reason: 'no Linux delegate' },
    ],
    ['Internal', new RuntimeInternalError('disk full'), {}],
  ])('round-trips %s with its class, code, fields and message', (_name, error, fields) => {
    const back = roundTrip(error);
    expect(back).toBeInstanceOf(error.constructor);
    expect(back).toMatchObject({ code: error.code, message: error.message, ...fields });
  });

  it('round-trips PullFailed with its failures', () => {
    const error = new PullFailedError('alpine', [
      new WrongPlatformError('hcs', 'windows', 'linux', 'alpine'),
      new RuntimeInternalError('delegate down'),
    ]);
    expect(encodeError(error).details).toMatchObject({
      image: 'alpine',
      failures: [{ code: 'ERR_RUNTIME_WRONG_PLATFORM' }, { code: 'ERR_RUNTIME_INTERNAL' }],
    });
    const back = roundTrip(error) as PullFailedError;
    expect(back).toBeInstanceOf(PullFailedError);
    expect(back.message).toBe(error.message);
    expect(back.failures.map((failure) => (failure as RuntimeInternalError).code)).toEqual([
      'ERR_RUNTIME_WRONG_PLATFORM',
      'ERR_RUNTIME_INTERNAL',
    ]);
  });

  it('builds an internal error from a peer that sends only a message', () => {
    const back = decodeError({ code: 'ERR_RUNTIME_INTERNAL', message: 'disk full' });
    expect(back).toBeInstanceOf(RuntimeInternalError);
    expect(back.message).toBe('internal error: disk full');
  });

  it('keeps an unknown code, message and details, and sends them on unchanged', () => {
    const wire = { code: 'ERR_SNAPSHOT_GONE', message: 'gone', details: { vm: 'a' } };
    const back = decodeError(wire);
    expect(back).toBeInstanceOf(DriverRemoteError);
    expect(back).toMatchObject({ code: 'ERR_SNAPSHOT_GONE', message: 'gone', details: { vm: 'a' } });
    expect(encodeError(back)).toEqual(wire);
  });

  it('gives an error without a code of its own the unspecified code', () => {
    expect(encodeError(new Error('corrupt blob'))).toEqual({
      code: UNSPECIFIED_ERROR_CODE,
      message: 'corrupt blob',
    });
    expect(encodeError('a string')).toEqual({ code: UNSPECIFIED_ERROR_CODE, message: 'a string' });
    expect(encodeError(Object.assign(new Error('x'), { code: 'lower-case' })).code).toBe(
      UNSPECIFIED_ERROR_CODE,
    );
  });

  it('round-trips the protocol errors', () => {
    expect(roundTrip(new DriverUnknownHandleError('r9'))).toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN_HANDLE',
      handle: 'r9',
    });
    expect(
      roundTrip(new DriverBadRequestError('registry.record: "args.id" must be a string')),
    ).toBeInstanceOf(DriverBadRequestError);
  });
});

describe('hello and handles', () => {
  const hello = { name: 'py-registry', version: '1.2', protocol: 1, components: ['registry', 'teleport'] };

  it('reads a hello, keeping only known components', () => {
    expect(parseHello(hello)).toEqual({ ...hello, components: ['registry'] });
  });

  it.each([
    [null, 'not an object'],
    [{ ...hello, name: '' }, '"name"'],
    [{ ...hello, version: 3 }, '"version"'],
    [{ ...hello, protocol: 2 }, 'protocol 2'],
    [{ ...hello, components: 'registry' }, '"components"'],
  ])('refuses the hello %j', (answer, problem) => {
    const error = thrown(() => parseHello(answer));
    expect(error.code).toBe('ERR_DRIVER_BAD_ANSWER');
    expect(error.message).toContain(problem);
  });

  it('reads a handle and refuses anything else', () => {
    expect(parseHandle('registry.create', { handle: 'r1' })).toBe('r1');
    expect(thrown(() => parseHandle('registry.create', { id: 1 })).code).toBe('ERR_DRIVER_BAD_ANSWER');
  });
});
