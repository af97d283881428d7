import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../protocol/runtime.js';
import {
  OPS,
  RUNTIME_METHODS,
  answerLine,
  readArgs,
  readHandle,
  readHello,
  readLine,
  requestLine,
} from './driver-wire.js';

describe('readLine (docs/driver-protocol.md §3)', () => {
  it.each<[string, string, unknown]>([
    [
      'a request',
      '{"id":3,"op":"runtime.call","args":{"a":1}}',
      { kind: 'request', id: 3, op: 'runtime.call', args: { a: 1 } },
    ],
    ['a request without args', '{"id":0,"op":"x"}', { kind: 'request', id: 0, op: 'x', args: {} }],
    [
      'a request with null args',
      '{"id":0,"op":"x","args":null}',
      { kind: 'request', id: 0, op: 'x', args: {} },
    ],
    ['a result', '{"id":1,"ok":true,"result":[1]}', { kind: 'result', id: 1, result: [1] }],
    ['a left-out result', '{"id":1,"ok":true}', { kind: 'result', id: 1, result: null }],
    [
      'an error with details',
      '{"id":2,"ok":false,"error":{"code":"E","message":"m","details":{"k":"v"}}}',
      { kind: 'error', id: 2, error: { code: 'E', message: 'm', details: { k: 'v' } } },
    ],
    [
      'an error with null details',
      '{"id":2,"ok":false,"error":{"code":"E","message":"m","details":null}}',
      { kind: 'error', id: 2, error: { code: 'E', message: 'm' } },
    ],
    [
      'the largest id',
      '{"id":9007199254740991,"ok":true}',
      { kind: 'result', id: 9007199254740991, result: null },
    ],
    ['a blank line', ' \t\r', { kind: 'blank' }],
    ['an empty line', '', { kind: 'blank' }],
  ])('reads %s', (_what, line, verdict) => {
    expect(readLine(line)).toEqual(verdict);
  });

  it.each([
    ['not JSON', '{"id":1'],
    ['a string', '"x"'],
    ['null', 'null'],
    ['no id', '{"ok":true}'],
    ['a string id', '{"id":"1","ok":true}'],
    ['an unsafe id', '{"id":9007199254740992,"ok":true}'],
    ['both op and ok', '{"id":1,"op":"x","ok":true}'],
    ['neither', '{"id":1}'],
    ['a non-string op', '{"id":1,"op":5}'],
    ['array args', '{"id":1,"op":"x","args":[]}'],
    ['ok null', '{"id":1,"ok":null}'],
    ['a failure without error', '{"id":1,"ok":false}'],
    ['a numeric code', '{"id":1,"ok":false,"error":{"code":5,"message":"m"}}'],
    ['no message', '{"id":1,"ok":false,"error":{"code":"E"}}'],
    ['array details', '{"id":1,"ok":false,"error":{"code":"E","message":"m","details":[]}}'],
    ['a form feed only', '\f'],
  ])('refuses %s as malformed', (_what, line) => {
    expect(readLine(line)).toMatchObject({ kind: 'malformed', problem: expect.any(String) as string });
  });

  it('writes requests and answers as one line each, newlines escaped', () => {
    expect(requestLine(4, 'registry.record', { id: 'a\nb' })).toBe(
      '{"id":4,"op":"registry.record","args":{"id":"a\\nb"}}',
    );
    expect(answerLine(5, { result: null })).toBe('{"id":5,"ok":true,"result":null}');
    expect(answerLine(6, { error: { code: 'E', message: 'm' } })).toBe(
      '{"id":6,"ok":false,"error":{"code":"E","message":"m"}}',
    );
  });
});

describe('the tables of the document', () => {
  it('names every Runtime method once, with logsStream and statsStream the only streams', () => {
    const methods: (keyof Runtime)[] = Object.keys(RUNTIME_METHODS) as (keyof Runtime)[];
    expect(new Set(methods).size).toBe(methods.length);
    expect(methods.filter((method) => RUNTIME_METHODS[method] === 'stream').sort()).toEqual([
      'logsStream',
      'statsStream',
    ]);
  });

  it('spells the operations as §5-§9 do', () => {
    expect(OPS.hello).toBe('driver.hello');
    expect(Object.values(OPS.registry).every((op) => op.startsWith('registry.'))).toBe(true);
    expect(OPS.callback).toEqual({ runtime: 'runtime.call', inspect: 'inspector.inspect' });
    expect(OPS.stream).toEqual({ next: 'stream.next', cancel: 'stream.cancel' });
  });
});

describe('answers the suite checks (§4, §5)', () => {
  it('reads a hello, keeping only the components it knows', () => {
    expect(readHello({ name: 'd', version: '1', protocol: 1, components: ['registry', 'snapshot'] })).toEqual(
      { name: 'd', version: '1', protocol: 1, components: ['registry'] },
    );
  });

  it.each([
    ['not an object', []],
    ['no name', { version: '1', protocol: 1, components: [] }],
    ['another protocol', { name: 'd', version: '1', protocol: 2, components: [] }],
    ['components not strings', { name: 'd', version: '1', protocol: 1, components: [1] }],
  ])('refuses a hello with %s as a bad answer', (_what, hello) => {
    expect(() => readHello(hello)).toThrow(expect.objectContaining({ code: 'ERR_DRIVER_BAD_ANSWER' }));
  });

  it('reads a handle and refuses an answer without one', () => {
    expect(readHandle('registry.create', { handle: 'r1' })).toBe('r1');
    for (const bad of [null, {}, { handle: '' }, { handle: 1 }]) {
      expect(() => readHandle('registry.create', bad)).toThrow(
        expect.objectContaining({ code: 'ERR_DRIVER_BAD_ANSWER' }),
      );
    }
  });
});

describe('readArgs (§8)', () => {
  const args = { handle: 'c1', runtime: 'vz', list: [1], number: 5 };

  it('reads strings, choices and arrays', () => {
    const read = readArgs('runtime.call', args);
    expect(read.text('handle')).toBe('c1');
    expect(read.oneOf('runtime', ['primary', 'vz'])).toBe('vz');
    expect(read.list('list')).toEqual([1]);
    expect(read.list('missing')).toEqual([]);
  });

  it('refuses a missing or mistyped field as a bad request naming it', () => {
    const read = readArgs('runtime.call', args);
    for (const attempt of [
      () => read.text('number'),
      () => read.text('missing'),
      () => read.oneOf('runtime', ['primary']),
      () => read.list('handle'),
    ]) {
      expect(attempt).toThrow(expect.objectContaining({ code: 'ERR_DRIVER_BAD_REQUEST' }));
    }
  });
});
