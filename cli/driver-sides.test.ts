/**
 * The driver protocol's two implementations against docs/driver-protocol.md: the reference
 * drivers' (protocol/driver/) and the suite's own (suite/targets/driver-*.ts). Each side is fed
 * the same raw lines, including ones the other side never writes but the document allows (or
 * forbids), and both must reach the document's verdict. This test lives in cli/ because nothing
 * under suite/ may import a value from protocol/driver/ (suite/meta/import-rules.ts).
 */
import type { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DriverClosedError } from '../protocol/driver/driver-errors.js';
import { DriverPeer } from '../protocol/driver/driver-peer.js';
import type { JsonObject, JsonValue } from '../protocol/driver/driver-protocol.js';
import { eventually } from '../suite/support/poll.js';
import { DriverChannel } from '../suite/targets/driver-channel.js';
import { fromWire, inRequest } from '../suite/targets/driver-codec.js';
import { linePipes } from '../suite/targets/driver-pipes.test-helper.js';

/** One side, reduced to what the doc speaks of: send a request, serve one, close. */
interface Side {
  readonly name: string;
  request(op: string, args: JsonObject): Promise<JsonValue>;
  /** Serves `op` by decoding `args.value` with the side's own value codec (§10). */
  serveDecoding(op: string): void;
  /** Serves `op` by answering its args as they arrived. */
  serveEcho(op: string): void;
  close(): void;
}

interface Wired {
  readonly side: Side;
  readonly input: PassThrough;
  /** Lines the side wrote. */
  readonly sent: string[];
}

const CAP = 128;
const opened: Side[] = [];

afterEach(() => {
  for (const side of opened.splice(0)) side.close();
});

function reference(): Wired {
  const { input, output, sent } = linePipes();
  const peer = new DriverPeer({
    input,
    output,
    maxLineBytes: CAP,
    onTransportEnd: () => undefined,
  });
  const side: Side = {
    name: 'reference (protocol/driver)',
    request: (op, args) => peer.request(op, args),
    serveDecoding: (op) => peer.handle(op, (args) => ({ decoded: String(peer.decode(args.value ?? null)) })),
    serveEcho: (op) => peer.handle(op, (args) => args),
    close: () => peer.close(new DriverClosedError('test over')),
  };
  opened.push(side);
  return { side, input, sent };
}

function suite(): Wired {
  const { input, output, sent } = linePipes();
  const channel = new DriverChannel({
    input,
    output,
    maxLineBytes: CAP,
    onTransportEnd: () => undefined,
  });
  const side: Side = {
    name: 'suite (suite/targets)',
    request: (op, args) => channel.request(op, args),
    serveDecoding: (op) =>
      channel.serve(op, (args) => ({ decoded: String(fromWire(args.value ?? null, channel, inRequest)) })),
    serveEcho: (op) => channel.serve(op, (args) => args),
    close: () => channel.close(new DriverClosedError('test over')),
  };
  opened.push(side);
  return { side, input, sent };
}

const SIDES = [
  { name: 'the reference side', make: reference },
  { name: 'the suite side', make: suite },
];

const poll = async (condition: () => boolean): Promise<void> => {
  await eventually(condition, { description: 'an answer line' });
};

/** What became of request 1 after `text` was fed: its result, or the code it failed with. */
async function outcomeOf(make: () => Wired, text: string | Buffer, end = false): Promise<unknown> {
  const { side, input } = make();
  const answer = side.request('probe', {}).then(
    (result) => ({ result }),
    (error: unknown) => ({ code: (error as { code?: unknown }).code }),
  );
  if (end) input.end(text);
  else input.write(text);
  return answer;
}

/**
 * An answer line of exactly `bytes` UTF-8 bytes (before its ending) whose result is made of `é`
 * (two bytes, one character each), padded with spaces after the JSON.
 */
function lineOfBytes(bytes: number): { line: string; result: string } {
  const frame = '{"id":1,"ok":true,"result":""}';
  const result = 'é'.repeat(Math.floor((bytes - frame.length) / 2));
  const line = `{"id":1,"ok":true,"result":"${result}"}`;
  return { line: line.padEnd(bytes - (Buffer.byteLength(line) - line.length), ' '), result };
}

describe.each(SIDES)('answers the document allows, on each side: $name', ({ make }) => {
  it.each<[string, string | Buffer, unknown]>([
    ['a left-out result (null)', '{"id":1,"ok":true}\n', { result: null }],
    ['fields the doc does not list (ignored)', '{"id":1,"ok":true,"result":5,"extra":[1]}\n', { result: 5 }],
    ['a \\r\\n ending', '{"id":1,"ok":true,"result":"crlf"}\r\n', { result: 'crlf' }],
    ['blank lines first', ' \t\r\n\n\t\n{"id":1,"ok":true,"result":2}\n', { result: 2 }],
    [
      'an error whose details are null',
      '{"id":1,"ok":false,"error":{"code":"ERR_OWN","message":"m","details":null}}\n',
      { code: 'ERR_OWN' },
    ],
    [
      'a driver code of another form, carried unchanged',
      '{"id":1,"ok":false,"error":{"code":"lower-case.code","message":"m"}}\n',
      { code: 'lower-case.code' },
    ],
    [
      // The cap counts bytes, not characters, and not the ending.
      'a line of exactly the cap in bytes, with a \\r\\n ending',
      `${lineOfBytes(CAP).line}\r\n`,
      { result: lineOfBytes(CAP).result },
    ],
    [
      'invalid UTF-8, read as U+FFFD',
      Buffer.from([...Buffer.from('{"id":1,"ok":true,"result":"'), 0xff, 0x22, 0x7d, 0x0a]),
      { result: '\uFFFD' },
    ],
  ])('%s', async (_what, text, expected) => {
    expect(Buffer.byteLength(text) - (text.includes('\r\n') ? 2 : 1)).toBeLessThanOrEqual(CAP);
    await expect(outcomeOf(make, text)).resolves.toEqual(expected);
  });

  it('a last line without its newline, right before the stream ends', async () => {
    await expect(outcomeOf(make, '{"id":1,"ok":true,"result":"last"}', true)).resolves.toEqual({
      result: 'last',
    });
  });
});

describe.each(SIDES)('lines the document forbids, on each side: $name', ({ make }) => {
  it.each<[string, string]>([
    ['not JSON', 'hello\n'],
    ['a JSON array', '[1]\n'],
    ['a fractional id', '{"id":1.5,"ok":true}\n'],
    ['an id over 2^53 - 1', '{"id":9007199254740992,"ok":true}\n'],
    ['a negative id', '{"id":-1,"ok":true}\n'],
    ['both op and ok', '{"id":1,"op":"x","ok":true}\n'],
    ['neither op nor ok', '{"id":1,"result":1}\n'],
    ['an empty op', '{"id":7,"op":""}\n'],
    ['args that are not an object', '{"id":7,"op":"x","args":[1]}\n'],
    ['ok that is not a boolean', '{"id":1,"ok":"true"}\n'],
    ['an error without a code', '{"id":1,"ok":false,"error":{"message":"m"}}\n'],
    ['an error with an empty code', '{"id":1,"ok":false,"error":{"code":"","message":"m"}}\n'],
    [
      'an error with details that are not an object',
      '{"id":1,"ok":false,"error":{"code":"X","message":"m","details":"d"}}\n',
    ],
    ['a line of other white space (not blank per the doc)', '\u00a0\n'],
    ['an answer for an id nobody waits for', '{"id":2,"ok":true,"result":1}\n'],
  ])('%s: ERR_DRIVER_MALFORMED_LINE', async (_what, text) => {
    await expect(outcomeOf(make, text)).resolves.toEqual({ code: 'ERR_DRIVER_MALFORMED_LINE' });
  });

  it('a line one byte over the cap (counted in bytes): ERR_DRIVER_LINE_TOO_LONG', async () => {
    const text = `${lineOfBytes(CAP + 1).line}\n`;
    expect(Buffer.byteLength(text) - 1).toBe(CAP + 1);
    expect(text.length - 1).toBeLessThan(CAP); // in characters, it would fit
    await expect(outcomeOf(make, text)).resolves.toEqual({ code: 'ERR_DRIVER_LINE_TOO_LONG' });
  });

  it('an over-long line that never ends: ERR_DRIVER_LINE_TOO_LONG without waiting for it', async () => {
    await expect(outcomeOf(make, 'x'.repeat(CAP + 2))).resolves.toEqual({
      code: 'ERR_DRIVER_LINE_TOO_LONG',
    });
  });
});

describe.each(SIDES)('requests from the other side, on each side: $name', ({ make }) => {
  /** Feeds one request and returns the answer the side wrote, parsed. */
  async function answerTo(
    wired: Wired,
    line: string,
  ): Promise<{ ok: boolean; result?: unknown; error?: { code: string } }> {
    wired.input.write(line);
    await poll(() => wired.sent.length === 1);
    return JSON.parse(wired.sent[0]!) as { ok: boolean; result?: unknown; error?: { code: string } };
  }

  it('reads args that are null as {}', async () => {
    const wired = make();
    wired.side.serveEcho('echo');
    await expect(answerTo(wired, '{"id":3,"op":"echo","args":null}\n')).resolves.toEqual({
      id: 3,
      ok: true,
      result: {},
    });
  });

  it('answers an unknown op with ERR_DRIVER_UNKNOWN_OP', async () => {
    const wired = make();
    await expect(answerTo(wired, '{"id":0,"op":"no.such.op"}\n')).resolves.toMatchObject({
      id: 0,
      ok: false,
      error: { code: 'ERR_DRIVER_UNKNOWN_OP', details: { op: 'no.such.op' } },
    });
  });

  it.each<[string, JsonValue]>([
    ['unpadded base64', { $bytes: 'AQI' }],
    ['base64 with a space', { $bytes: 'AQ I=' }],
    ['the URL-safe alphabet', { $bytes: '-_8=' }],
    ['a number under $bytes', { $bytes: 5 }],
    ['an empty stream id', { $stream: '' }],
    ['a number under $stream', { $stream: 1 }],
  ])('answers a request holding a bad value (%s) with ERR_DRIVER_BAD_REQUEST', async (_what, value) => {
    const wired = make();
    wired.side.serveDecoding('decode');
    const line = `${JSON.stringify({ id: 4, op: 'decode', args: { value } })}\n`;
    await expect(answerTo(wired, line)).resolves.toMatchObject({
      id: 4,
      ok: false,
      error: { code: 'ERR_DRIVER_BAD_REQUEST' },
    });
  });

  it.each<[string, JsonValue, string]>([
    ['padded base64 is bytes', { $bytes: 'AQI=' }, '1,2'],
    ['$bytes beside another key is a plain object', { $bytes: 5, other: 1 }, '[object Object]'],
  ])('decodes %s', async (_what, value, decoded) => {
    const wired = make();
    wired.side.serveDecoding('decode');
    const line = `${JSON.stringify({ id: 5, op: 'decode', args: { value } })}\n`;
    await expect(answerTo(wired, line)).resolves.toEqual({ id: 5, ok: true, result: { decoded } });
  });
});
