import { describe, expect, it } from 'vitest';
import type { BerthError } from '../../protocol/errors.js';
import {
  PullFailedError,
  RouteToPeerError,
  RuntimeInternalError,
  RuntimeNotFoundError,
  RuntimeUnsupportedError,
  WrongPlatformError,
} from '../../protocol/runtime-errors.js';
import {
  UNSPECIFIED,
  argsToWire,
  errorFromWire,
  errorToWire,
  fromWire,
  inAnswer,
  inRequest,
  resultFromWire,
  toWire,
  type StreamPort,
} from './driver-codec.js';
import { DriverAnsweredError, DriverUnknownHandleError } from './driver-errors.js';
import type { JsonValue } from './driver-wire.js';

/** A stream port that records what it shares and hands back named fakes for what it pulls. */
function port(): StreamPort & { shared: AsyncIterable<unknown>[]; pulled: string[] } {
  const shared: AsyncIterable<unknown>[] = [];
  const pulled: string[] = [];
  return {
    shared,
    pulled,
    share(stream) {
      shared.push(stream);
      return `s${shared.length}`;
    },
    pull(id) {
      pulled.push(id);
      return (async function* () {
        yield `from ${id}`;
      })();
    },
  };
}

async function collect(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe('values (docs/driver-protocol.md §10)', () => {
  it('writes bytes as padded base64, streams by id, and leaves unset fields out', () => {
    const streams = port();
    async function* logs(): AsyncGenerator<string> {
      yield 'x';
    }
    const wire = toWire(
      { tar: new Uint8Array([1, 2]), logs: logs(), unset: undefined, list: [undefined, 1, Number.NaN] },
      streams,
    );
    expect(wire).toEqual({ tar: { $bytes: 'AQI=' }, logs: { $stream: 's1' }, list: [null, 1, null] });
    expect(streams.shared).toHaveLength(1);
  });

  it('writes a view into a larger buffer as only the bytes it shows', () => {
    const whole = new Uint8Array([9, 1, 2, 9]);
    expect(toWire(whole.subarray(1, 3), port())).toEqual({ $bytes: 'AQI=' });
  });

  it('leaves unset trailing arguments out, keeps unset ones before a given one as null', () => {
    const streams = port();
    expect(argsToWire(['web', undefined, undefined], streams)).toEqual(['web']);
    expect(argsToWire(['web', undefined, 5], streams)).toEqual(['web', null, 5]);
    expect(argsToWire([], streams)).toEqual([]);
  });

  it('reads bytes and streams back, in arrays and objects', async () => {
    const streams = port();
    const value = fromWire(
      { data: [{ $bytes: 'AQI=' }, { $bytes: '' }], follow: { $stream: 'd1' } },
      streams,
      inAnswer,
    ) as { data: Uint8Array[]; follow: AsyncIterable<unknown> };
    expect(value.data).toEqual([new Uint8Array([1, 2]), new Uint8Array([])]);
    expect(streams.pulled).toEqual(['d1']);
    await expect(collect(value.follow)).resolves.toEqual(['from d1']);
  });

  it('reads an object with other keys beside $bytes or $stream as a plain object', () => {
    expect(fromWire({ $bytes: 'AQI=', size: 2 }, port(), inAnswer)).toEqual({ $bytes: 'AQI=', size: 2 });
    expect(fromWire({ $stream: 5, x: null }, port(), inAnswer)).toEqual({ $stream: 5, x: null });
  });

  it.each<[string, JsonValue]>([
    ['unpadded base64', { $bytes: 'AQI' }],
    ['base64 with a newline', { $bytes: 'AQI=\n' }],
    ['a number under $bytes', { $bytes: 1 }],
    ['null under $bytes', { $bytes: null }],
    ['an empty stream id', { $stream: '' }],
    ['an object under $stream', { $stream: {} }],
  ])('refuses %s: a bad answer in an answer, a bad request in a request', (_what, value) => {
    expect(() => fromWire([value], port(), inAnswer)).toThrow(
      expect.objectContaining({ code: 'ERR_DRIVER_BAD_ANSWER' }),
    );
    expect(() => fromWire({ nested: value }, port(), inRequest)).toThrow(
      expect.objectContaining({ code: 'ERR_DRIVER_BAD_REQUEST' }),
    );
  });

  it('reads null as nothing, and a stream method’s array as a stream that already ended', async () => {
    const streams = port();
    expect(resultFromWire('startContainer', null, streams, inAnswer)).toBeUndefined();
    expect(resultFromWire('listImages', [1, 2], streams, inAnswer)).toEqual([1, 2]);
    const ended = resultFromWire('logsStream', [{ $bytes: 'AQ==' }], streams, inAnswer);
    await expect(collect(ended as AsyncIterable<unknown>)).resolves.toEqual([new Uint8Array([1])]);
    const live = resultFromWire('statsStream', { $stream: 'd7' }, streams, inAnswer);
    await expect(collect(live as AsyncIterable<unknown>)).resolves.toEqual(['from d7']);
  });
});

describe('errors (§11)', () => {
  it.each<[string, Error]>([
    ['not found', new RuntimeNotFoundError('web-rep-1', 'no such container')],
    ['unsupported', new RuntimeUnsupportedError('commitContainer')],
    ['wrong platform', new WrongPlatformError('vz', 'macos', 'linux', 'alpine')],
    ['route to peer', new RouteToPeerError('web', 'windows', 'no windows node')],
    ['internal', new RuntimeInternalError('disk full')],
    [
      'pull failed',
      new PullFailedError('alpine', [new RuntimeUnsupportedError('pullImage'), new Error('plain')]),
    ],
  ])('round-trips a runtime error (%s) with its class, code and fields', (_what, error) => {
    const wire = JSON.parse(JSON.stringify(errorToWire(error))) as ReturnType<typeof errorToWire>;
    const back = errorFromWire(wire);
    expect(back).toBeInstanceOf(error.constructor);
    expect(back).toMatchObject({ code: (error as BerthError).code });
    const fields = { ...error } as Record<string, unknown>;
    if (error instanceof PullFailedError) {
      const failures = (back as PullFailedError).failures;
      expect(failures.map((failure) => (failure as { code?: string }).code)).toEqual([
        'ERR_RUNTIME_UNSUPPORTED',
        UNSPECIFIED,
      ]);
      delete fields.failures;
    }
    expect(back).toMatchObject(fields);
    expect(back.message).toBe(error.message);
  });

  it('writes an error without a code of berth’s form as ERR_UNSPECIFIED, keeping its message', () => {
    expect(errorToWire(new Error('inspector broke'))).toEqual({
      code: UNSPECIFIED,
      message: 'inspector broke',
    });
    expect(errorToWire('thrown text')).toEqual({ code: UNSPECIFIED, message: 'thrown text' });
    const odd = Object.assign(new Error('odd'), { code: 'ENOENT-ish' });
    expect(errorToWire(odd)).toMatchObject({ code: UNSPECIFIED });
  });

  it('writes the suite’s protocol errors with their details', () => {
    expect(errorToWire(new DriverUnknownHandleError('c9'))).toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN_HANDLE',
      details: { handle: 'c9' },
    });
  });

  it('keeps a code it has no class for, with its message and details', () => {
    const back = errorFromWire({ code: 'ERR_ACME_QUOTA', message: 'over quota', details: { left: 0 } });
    expect(back).toBeInstanceOf(DriverAnsweredError);
    expect(back).toMatchObject({ code: 'ERR_ACME_QUOTA', message: 'over quota', details: { left: 0 } });
    expect(errorToWire(back)).toEqual({
      code: 'ERR_ACME_QUOTA',
      message: 'over quota',
      details: { left: 0 },
    });
  });

  it('reads missing or mistyped details as the document says', () => {
    const notFound = errorFromWire({
      code: 'ERR_RUNTIME_NOT_FOUND',
      message: 'gone',
      details: { container: 5 },
    });
    expect(notFound).toMatchObject({ container: '', reason: 'gone' });
    const platform = errorFromWire({
      code: 'ERR_RUNTIME_WRONG_PLATFORM',
      message: 'm',
      details: { expected: 'beos' },
    });
    expect(platform).toMatchObject({ runtime: '', expected: 'linux', actual: 'linux', image: '' });
    const internal = errorFromWire({ code: 'ERR_RUNTIME_INTERNAL', message: 'internal error: disk' });
    expect(internal).toMatchObject({ message: 'internal error: disk' });
    const pull = errorFromWire({
      code: 'ERR_RUNTIME_PULL_FAILED',
      message: 'm',
      details: { image: 'a', failures: [1, { code: 'E', message: 'x' }, { code: 'E' }] },
    });
    expect((pull as PullFailedError).failures).toHaveLength(1);
  });
});
