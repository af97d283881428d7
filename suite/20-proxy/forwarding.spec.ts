import { Buffer } from 'node:buffer';
import { describe } from 'vitest';
import { demultiplex } from '../../protocol/demultiplex.js';
import { clause, type ClauseContext } from '../harness/clause.js';
import { absentGuestPath, startSimulatedGuest } from '../support/guests.js';
import { RawConnection, sendRaw } from '../support/http/raw-connection.js';
import { startScriptedGuest, type GuestRequest, type GuestScript } from '../support/http/scripted-guest.js';
import { useLeakCheck } from '../support/leak-check.js';
import { call, createContainer, startTwoRoleStack } from '../harness/proxy-client.js';

/** A scripted guest alone behind the proxy (role native); it answers each request with `answer`. */
async function scriptedStack(
  context: Pick<ClauseContext, 'use' | 'onTestFinished'>,
  answer: GuestScript,
  options: { handshakeTimeoutMs?: number } = {},
): Promise<{ proxy: string; received: readonly GuestRequest[] }> {
  // The facet first: on a target without a proxy the clause ends here, before a guest is started.
  const facet = context.use('proxy');
  const guest = await startScriptedGuest(answer);
  context.onTestFinished(() => guest.close());
  const running = await facet.start({
    roles: [{ role: 'native', guest: guest.socketPath, platforms: ['linux/arm64'] }],
    defaultRole: 'native',
    ...options,
  });
  context.onTestFinished(() => running[Symbol.asyncDispose]());
  return { proxy: running.socketPath, received: guest.received };
}

const okAnswer =
  (extra = ''): GuestScript =>
  (exchange) =>
    exchange.answer(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n${extra}Content-Length: 2\r\n\r\nok`);

const field = (request: GuestRequest, name: string): string[] => request.values(name);

/** The stdout of a stdcopy stream; stderr must be empty (the clauses' commands write none). */
function stdoutOf(stream: Buffer): { stdout: string; stderr: string } {
  const { stdout, stderr } = demultiplex(stream);
  return { stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') };
}

describe('proxy forwarding', () => {
  useLeakCheck();

  clause(
    'HND-3',
    'forwards the query byte for byte and adds no "?"',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, received } = await scriptedStack({ use, onTestFinished }, okAnswer());
      const filters = '/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D&x=a+b%20c';
      await call(proxy, 'GET', filters);
      await call(proxy, 'GET', '/v1.41/info');
      await call(proxy, 'GET', '/v1.41/info?');
      expect(received.map((r) => r.requestLine)).toEqual([
        `GET ${filters} HTTP/1.1`,
        'GET /v1.41/info HTTP/1.1',
        'GET /v1.41/info? HTTP/1.1',
      ]);
    },
  );

  clause(
    'HND-12',
    'drops hop-by-hop fields both ways and sends Host: localhost',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, received } = await scriptedStack({ use, onTestFinished }, (exchange) =>
        exchange.answer(
          'HTTP/1.1 200 OK\r\nConnection: X-Guest-Hop\r\nX-Guest-Hop: 1\r\nKeep-Alive: timeout=5\r\n' +
            'X-Kept: yes\r\nApi-Version: 1.45\r\nContent-Length: 2\r\n\r\nok',
        ),
      );
      const answer = await call(proxy, 'POST', '/v1.41/images/create?fromImage=x', {
        headers: {
          connection: 'keep-alive, X-Client-Hop',
          'x-client-hop': '1',
          'keep-alive': 'timeout=5',
          'proxy-authorization': 'secret',
          te: 'trailers',
          'x-registry-auth': 'e30=',
          'user-agent': 'Docker-Client/28.2.2 (linux)',
        },
      });
      const [request] = received;
      expect(request?.requestLine).toBe('POST /v1.41/images/create?fromImage=x HTTP/1.1');
      const names = request!.headers.map(([n]) => n.toLowerCase());
      for (const hop of [
        'connection',
        'x-client-hop',
        'keep-alive',
        'proxy-authorization',
        'te',
        'transfer-encoding',
      ]) {
        expect(names, hop).not.toContain(hop);
      }
      expect(field(request!, 'host')).toEqual(['localhost']);
      expect(field(request!, 'x-registry-auth')).toEqual(['e30=']);
      expect(field(request!, 'user-agent')).toEqual(['Docker-Client/28.2.2 (linux)']);
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('ok');
      expect(answer.headers['x-guest-hop']).toBeUndefined();
      expect(answer.headers['keep-alive']).toBeUndefined();
      expect(answer.headers['x-kept']).toBe('yes');
      expect(answer.headers['api-version'], 'capped at the proxy’s 1.41').toBe('1.41');
    },
  );

  clause('HND-12', 'passes Api-Version through on HEAD /_ping', async ({ use, onTestFinished, expect }) => {
    const { proxy } = await startTwoRoleStack({ use, onTestFinished });
    const ping = await call(proxy, 'HEAD', '/_ping');
    expect(ping.status).toBe(200);
    expect(ping.headers['api-version']).toBe('1.41');
    expect(ping.headers['content-length']).toBe('0');
    const get = await call(proxy, 'GET', '/_ping', { headers: { 'api-version': '1.41' } });
    expect(get.text).toBe('OK');
  });

  clause(
    'HND-13',
    'streams a chunked upload and answers 100-continue itself',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, received } = await scriptedStack({ use, onTestFinished }, okAnswer());
      const client = await RawConnection.open(proxy);
      onTestFinished(() => client.close());
      client.send(
        'PUT /v1.41/containers/x/archive?path=%2F HTTP/1.1\r\nHost: api.moby.localhost\r\n' +
          'Content-Type: text/plain\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      await client.until((c) => c.text.includes('100 Continue'), 'a 100 Continue before the body');
      expect(client.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
      client.send('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
      await client.until((c) => c.text.endsWith('ok'), 'the answer to the upload');
      expect(client.text).toMatch(/HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nok$/);
      // The first request the guest saw is the proxy's own probe for container "x" (HND-8).
      const put = received.find((request) => request.requestLine.startsWith('PUT '));
      expect(put?.body.toString()).toBe('hello world');
      expect(field(put!, 'expect')).toEqual([]);
    },
  );

  clause(
    'HND-13',
    'streams a Content-Length upload of 4 MiB intact',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, received } = await scriptedStack({ use, onTestFinished }, okAnswer());
      const body = Buffer.alloc(4 * 1024 * 1024, 'z');
      const answer = await call(proxy, 'POST', '/v1.41/images/load', {
        body,
        headers: { 'content-type': 'application/x-tar' },
      });
      expect(answer.status).toBe(200);
      expect(received[0]?.body.equals(body)).toBe(true);
      expect(field(received[0]!, 'content-length')).toEqual([String(body.length)]);
    },
  );

  clause(
    'HND-11',
    'streams a followed log before the container exits',
    async ({ use, onTestFinished, expect }) => {
      const { proxy, amd64 } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, {
        platform: 'linux/amd64',
        // The container outlives the clause: "second" never comes while it is checked.
        cmd: ['sh', '-c', 'echo first; sleep 60; echo second'],
      });
      const follow = await RawConnection.open(proxy);
      onTestFinished(() => follow.close());
      follow.send(`GET /v1.41/containers/${id}/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: x\r\n\r\n`);
      await follow.untilIncludes('first');
      expect(follow.text).toContain('first');
      expect(follow.text).not.toContain('second');
      const state = await call(amd64.socketPath, 'GET', `/v1.41/containers/${id}/json`);
      expect(state.json<{ State: { Running: boolean } }>().State.Running, 'still running').toBe(true);
    },
  );

  clause(
    'HND-11',
    'serves a long-poll wait and other requests side by side',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, {
        platform: 'linux/amd64',
        start: false,
        cmd: ['sh', '-c', 'sleep 60'],
      });
      const wait = call(proxy, 'POST', `/v1.41/containers/${id}/wait?condition=next-exit`);
      expect((await call(proxy, 'POST', `/v1.41/containers/${id}/start`)).status).toBe(204);
      expect((await call(proxy, 'GET', `/v1.41/containers/${id}/json`)).status).toBe(200);
      expect((await call(proxy, 'POST', `/v1.41/containers/${id}/kill`)).status).toBe(204);
      const waited = await wait;
      expect(waited.status).toBe(200);
      expect(waited.json<{ StatusCode: number }>().StatusCode).toBe(137);
    },
  );

  clause(
    'HND-16',
    'bridges exec start with Upgrade: output, and stdin after the client half-closes',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      await createContainer(proxy, { name: 'ex', platform: 'linux/amd64' });
      const exec = await call(proxy, 'POST', '/v1.41/containers/ex/exec', {
        body: { AttachStdin: true, AttachStdout: true, Cmd: ['cat'] },
      });
      const execId = exec.json<{ Id: string }>().Id;
      const body = '{"Detach":false,"Tty":false}';
      const client = await RawConnection.open(proxy);
      onTestFinished(() => client.close());
      client.send(
        `POST /v1.41/exec/${execId}/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: ${body.length}\r\n\r\n${body}ping\n`,
      );
      // stdin ends once the stream is up: the client half-closes after the 101.
      await client.untilHead();
      client.halfClose();
      await client.untilFinished('the end of the exec stream');
      expect(client.text).toMatch(/^HTTP\/1\.1 101 /);
      expect(stdoutOf(client.afterHead())).toEqual({ stdout: 'ping\n', stderr: '' });
    },
  );

  clause(
    'HND-16',
    'bridges exec start without Upgrade as a 200 raw stream to its end',
    async ({ use, onTestFinished, expect }) => {
      // Upstream forwards it as a plain request, so stdin can never reach the process (P-B2).
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      await createContainer(proxy, { name: 'ex2', platform: 'linux/amd64' });
      const created = await call(proxy, 'POST', '/v1.41/containers/ex2/exec', {
        body: { AttachStdout: true, Cmd: ['sh', '-c', 'echo one; sleep 1; echo two'] },
      });
      const execId = created.json<{ Id: string }>().Id;
      const body = '{"Detach":false,"Tty":false}';
      const exec = await sendRaw(
        proxy,
        `POST /v1.41/exec/${execId}/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      expect(exec.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(stdoutOf(exec.afterHead())).toEqual({ stdout: 'one\ntwo\n', stderr: '' });
    },
  );

  clause(
    'HND-17',
    'relays a legacy attach (no Upgrade) to the end of the stream',
    async ({ use, onTestFinished, expect }) => {
      // Upstream returned the 200 head and at most 8192 bytes of one read, then dropped the stream (P-B3).
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, {
        platform: 'linux/amd64',
        start: false,
        cmd: ['sh', '-c', 'sleep 1; echo late; echo later'],
      });
      const attach = await RawConnection.open(proxy);
      onTestFinished(() => attach.close());
      attach.send(
        `POST /v1.41/containers/${id}/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
      );
      // Attached (the 200 head is back) before the container starts, so no output is missed.
      await attach.untilHead();
      expect((await call(proxy, 'POST', `/v1.41/containers/${id}/start`)).status).toBe(204);
      await attach.untilFinished('the end of the attach stream', 15_000);
      expect(attach.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(stdoutOf(attach.afterHead())).toEqual({ stdout: 'late\nlater\n', stderr: '' });
    },
  );

  clause(
    'HND-17',
    'relays an attach with Upgrade as 101 and the stream',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await startTwoRoleStack({ use, onTestFinished });
      const id = await createContainer(proxy, {
        platform: 'linux/amd64',
        start: false,
        cmd: ['sh', '-c', 'sleep 1; echo up'],
      });
      const attach = await RawConnection.open(proxy);
      onTestFinished(() => attach.close());
      attach.send(
        `POST /v1.41/containers/${id}/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`,
      );
      // Attached (the 101 is back) before the container starts; the client has nothing to send.
      await attach.untilHead();
      attach.halfClose();
      expect((await call(proxy, 'POST', `/v1.41/containers/${id}/start`)).status).toBe(204);
      await attach.untilFinished('the end of the attach stream', 15_000);
      expect(attach.text).toMatch(/^HTTP\/1\.1 101 /);
      expect(stdoutOf(attach.afterHead())).toEqual({ stdout: 'up\n', stderr: '' });
    },
  );

  clause(
    'HND-6',
    'answers 502 naming the role of a dead guest, and keeps serving',
    async ({ use, onTestFinished, expect }) => {
      const facet = use('proxy');
      const native = await startSimulatedGuest({ name: 'native', architecture: 'arm64' });
      const dead = await absentGuestPath();
      const running = await facet.start({
        roles: [
          { role: 'native', guest: native.socketPath, platforms: ['linux/arm64'] },
          { role: 'amd64', guest: dead, platforms: ['linux/amd64'] },
        ],
        defaultRole: 'native',
      });
      onTestFinished(async () => {
        await running[Symbol.asyncDispose]();
        await native.close();
      });
      const refused = await call(
        running.socketPath,
        'POST',
        '/v1.41/containers/create?platform=linux/amd64',
        {
          body: { Image: 'local/busybox:1', Cmd: ['true'] },
        },
      );
      expect(refused.status).toBe(502);
      expect(refused.headers['content-type']).toBe('application/json');
      expect(refused.json<{ message: string }>().message).toContain("'amd64'");
      expect((await call(running.socketPath, 'GET', '/v1.41/containers/json')).status).toBe(200);
    },
  );

  clause(
    'HND-6',
    'answers 502 when the guest resets before answering',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await scriptedStack({ use, onTestFinished }, (exchange) => exchange.reset());
      const answer = await call(proxy, 'GET', '/v1.41/info');
      expect(answer.status).toBe(502);
      expect(answer.json<{ message: string }>().message).toContain("'native'");
      expect((await call(proxy, 'GET', '/v1.41/info')).status, 'still serving').toBe(502);
    },
  );

  clause(
    'HND-19',
    'answers 504 when the guest does not answer an upgrade in time',
    async ({ use, onTestFinished, expect }) => {
      const { proxy } = await scriptedStack({ use, onTestFinished }, () => undefined, {
        handshakeTimeoutMs: 300,
      });
      const { text } = await sendRaw(
        proxy,
        'POST /v1.41/containers/abc/attach?stream=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n',
      );
      expect(text).toMatch(/^HTTP\/1\.1 504 /);
      expect(text).toMatch(/\r\n\r\n\{"message":"[^"]+"\}\n$/);
    },
  );
});
