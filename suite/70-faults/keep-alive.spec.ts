import { describe } from 'vitest';
import { call, IMAGE } from '../harness/proxy-client.js';
import { clause, type ClauseContext } from '../harness/clause.js';
import { startKeepAliveGuest, startSimulatedGuest, type KeepAliveGuest } from '../support/guests.js';
import { useLeakCheck } from '../support/leak-check.js';
import { recordExchange } from '../support/transcript.js';

/**
 * Long enough for a guest's FIN to reach any proxy on this machine before the next request, even
 * under load. A fixed wait is the scenario of FLT-9 (a FIN that arrived while the connection was
 * idle), not a wait for something observable: what the proxy made of the FIN cannot be seen from
 * outside it (FLT-10 covers the FIN that has not arrived yet).
 */
const FIN_SETTLE_MS = 500;
const ROUNDS = 4;

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The target's proxy in front of one guest at `guestPath`; stopped after the test. */
async function proxyFor(context: ClauseContext, guestPath: string): Promise<string> {
  const proxy = await context.use('proxy').start({
    roles: [{ role: 'native', guest: guestPath, platforms: ['linux/amd64'] }],
    defaultRole: 'native',
  });
  context.onTestFinished(() => proxy[Symbol.asyncDispose]());
  return proxy.socketPath;
}

/**
 * A keep-alive guest that answers every request `200 OK` but drops a connection, without a byte
 * of answer, when its second request arrives: what a proxy meets when a kept connection dies at
 * the moment it reuses it.
 */
async function startDroppingGuest(context: ClauseContext): Promise<KeepAliveGuest> {
  const guest = await startKeepAliveGuest((request, response, nth) => {
    if (nth === 2) {
      recordExchange(
        'guest',
        `${request.method} ${request.url}`,
        '(the guest closed the kept connection unanswered)',
      );
      request.socket.destroy();
      return;
    }
    request.resume();
    request.on('end', () => {
      response.setHeader('Content-Type', 'text/plain; charset=utf-8');
      response.setHeader('Api-Version', '1.41');
      response.end('OK');
    });
  });
  context.onTestFinished(() => guest.close());
  return guest;
}

describe('FLT: keep-alive guest connections', () => {
  useLeakCheck();

  clause('FLT-9', 'answers every request after the guest closed its idle connections', async (context) => {
    const { expect } = context;
    const guest = await startSimulatedGuest({ name: 'keep-alive', architecture: 'amd64' });
    context.onTestFinished(() => guest.close());
    const proxy = await proxyFor(context, guest.socketPath);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const ping = await call(proxy, 'GET', '/_ping');
      expect(ping.status, `round ${round}: GET /_ping answered ${ping.text}`).toBe(200);
      const list = await call(proxy, 'GET', '/v1.41/containers/json?all=1');
      expect(list.status, `round ${round}: GET /containers/json answered ${list.text}`).toBe(200);
      const created = await call(proxy, 'POST', '/v1.41/containers/create', {
        body: { Image: IMAGE, Cmd: ['true'] },
      });
      expect(created.status, `round ${round}: POST /containers/create answered ${created.text}`).toBe(201);
      const id = created.json<{ Id: string }>().Id;
      const removed = await call(proxy, 'DELETE', `/v1.41/containers/${id}`);
      expect(removed.status, `round ${round}: DELETE answered ${removed.text}`).toBe(204);
      // The guest closes every connection waiting for its next request, and the FIN arrives.
      guest.closeIdleConnections();
      await settle(FIN_SETTLE_MS);
    }
    expect(guest.requests(), 'every request reached the guest once').toBeGreaterThanOrEqual(ROUNDS * 4);
  });

  clause(
    'FLT-10',
    'sends a bodyless GET or HEAD again when its kept connection dies unanswered',
    async (context) => {
      const { expect } = context;
      const guest = await startDroppingGuest(context);
      const proxy = await proxyFor(context, guest.socketPath);
      for (let round = 1; round <= ROUNDS; round += 1) {
        for (const method of ['GET', 'HEAD'] as const) {
          const answer = await call(proxy, method, '/v1.41/version');
          expect(
            answer.status,
            `round ${round}: ${method} /v1.41/version answered ${answer.status} ${answer.text}; the guest saw: ${guest.received.map(({ line, nth }) => `${line} (request ${nth} on its connection)`).join(', ')}`,
          ).toBe(200);
          if (method === 'GET') expect(answer.text).toBe('OK');
        }
      }
    },
  );
});
