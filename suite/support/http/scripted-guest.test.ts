import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../leak-check.js';
import { encodeChunked } from './chunked-decoder.js';
import { RawConnection, sendRaw } from './raw-connection.js';
import { startScriptedGuest } from './scripted-guest.js';
import { buildRequest, sendRequest } from './send-request.js';

useLeakCheck();

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';

describe('startScriptedGuest with the raw client', () => {
  it('reads a chunked request body, records it and answers as scripted', async () => {
    await using guest = await startScriptedGuest((exchange) => exchange.answer(OK));
    const answer = await sendRequest(guest.socketPath, {
      method: 'POST',
      target: '/upload',
      headers: [['Host', 'x']],
      body: 'hello',
      chunked: true,
    });
    expect(answer).toMatchObject({ status: 200, framing: 'content-length', complete: true, defects: [] });
    expect(answer.body.toString()).toBe('ok');
    expect(guest.received[0]).toMatchObject({ method: 'POST', target: '/upload', defects: [] });
    expect(guest.received[0]?.body.toString()).toBe('hello');
    expect(guest.received[0]?.header('transfer-encoding')).toBe('chunked');
    await guest.drained();
  });

  it('hands over an answer in pieces, chunked, then a hijacked echo stream', async () => {
    await using guest = await startScriptedGuest((exchange) => {
      void exchange.pieces([
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
        encodeChunked(Buffer.from('abc')),
      ]);
    });
    const answer = await sendRequest(
      guest.socketPath,
      buildRequest({ method: 'GET', target: '/', headers: [['Host', 'x']] }),
    );
    expect(answer).toMatchObject({ status: 200, framing: 'chunked', complete: true, defects: [] });
    expect(answer.body.toString()).toBe('abc');

    await using echo = await startScriptedGuest((exchange) => {
      void exchange.pieces(['HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'], {
        then: 'echo',
      });
    });
    const connection = await RawConnection.open(echo.socketPath, { transcript: false });
    try {
      connection.send('POST /attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      const head = await connection.untilHead();
      expect(head.status).toBe(101);
      expect(connection.answer?.framing).toBe('hijack');
      connection.halfClose('ping');
      await connection.untilEnded();
      expect(connection.afterHead().toString()).toBe('ping');
    } finally {
      connection.close();
    }
    await echo.drained();
  });

  it('reports a malformed answer and a body cut short instead of throwing', async () => {
    await using guest = await startScriptedGuest((exchange) =>
      exchange.answer('HTTP/1.1 200 OK\nContent-Length: 10\nbroken line\n\nshort'),
    );
    const connection = await sendRaw(guest.socketPath, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', {
      transcript: false,
    });
    const answer = connection.answer;
    expect(answer?.status).toBe(200);
    expect(answer?.complete).toBe(false);
    expect(answer?.body.toString()).toBe('short');
    const defects = answer?.defects.join('\n') ?? '';
    expect(defects).toMatch(/bare LF/);
    expect(defects).toMatch(/without a name and a colon/);
    expect(defects).toMatch(/ended after 5 of 10 bytes/);
  });

  it('rejects with ERR_SUITE_NO_ANSWER when the peer closes before a head', async () => {
    await using guest = await startScriptedGuest((exchange) => exchange.reset());
    await expect(sendRequest(guest.socketPath, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).rejects.toMatchObject({
      code: 'ERR_SUITE_NO_ANSWER',
    });
    await guest.drained();
  });

  it('skips an interim 100 Continue and reads a HEAD answer without a body', async () => {
    await using guest = await startScriptedGuest((exchange) =>
      exchange.answer('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n'),
    );
    const answer = await sendRequest(guest.socketPath, 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatchObject({ status: 200, framing: 'none', complete: true });
    expect(answer.interim.map((head) => head.status)).toEqual([100]);
  });
});
