import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { MemoryConnector, memorySocketProbe } from '../vsock/index.js';
import { createSimulatedDockerd, type DockerdFault } from './index.js';
import { RawConnection } from './raw-connection.test-helper.js';
import { startTestDockerd } from './test-dockerd.test-helper.js';
import { eventually } from '../../suite/support/poll.js';

useLeakCheck([memorySocketProbe]);

describe('createSimulatedDockerd', () => {
  it('serves in-memory sockets handed over by a MemoryConnector (GuestSink emit)', async () => {
    await using sim = createSimulatedDockerd({ name: 'memory' });
    await using connector = new MemoryConnector({ guest: sim });
    const connection = RawConnection.over(await connector.connect('guest'));
    try {
      await connection.request('GET', '/_ping');
      const response = await connection.readResponse();
      expect([response.status, response.text]).toEqual([200, 'OK']);
      await connection.request('POST', '/v1.41/containers/create', {
        json: { Image: 'local/busybox:1', Cmd: ['echo', 'mem'] },
      });
      expect((await connection.readResponse()).status).toBe(201);
    } finally {
      await connection.close();
    }
  });

  it('listens on loopback TCP and on unix sockets at once; several simulators run side by side', async () => {
    await using a = createSimulatedDockerd({ name: 'a', architecture: 'arm64' });
    await using b = createSimulatedDockerd({ name: 'b' });
    const tcp = await a.listen('tcp://127.0.0.1:0');
    expect(tcp).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(tcp.split(':').pop());
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const connection = RawConnection.over(socket);
    try {
      await connection.request('GET', '/v1.41/version');
      expect((await connection.readResponse()).json()).toMatchObject({ Arch: 'arm64' });
    } finally {
      await connection.close();
    }
    const { tempSocketPath } = await import('../vsock/index.js');
    const path = await tempSocketPath('b');
    expect(await b.listen(`unix://${path}`)).toBe(`unix://${path}`);
    expect(b.addresses).toEqual([`unix://${path}`]);
    await expect(b.listen('tcp://10.0.0.1:80')).rejects.toMatchObject({ code: 'ERR_DOCKERD_SIM_USAGE' });
  });

  it('closeIdleConnections() closes keep-alive connections between requests, not one in a request', async () => {
    const d = await startTestDockerd();
    const id = await d.create({ Image: 'local/busybox:1', Cmd: ['sleep', '300'] });
    await d.request('POST', `/v1.41/containers/${id}/start`);
    const idle = await d.connect();
    const busy = await d.connect();
    try {
      await idle.request('GET', '/_ping');
      expect((await idle.readResponse()).status).toBe(200);
      // A long-poll in progress: the wait answers only when the container stops.
      await busy.request('POST', `/v1.41/containers/${id}/wait`);
      await eventually(() => d.sim.engine.getContainer(id).waiters.size === 1, {
        description: "the simulator to read the wait's head",
      });
      expect(d.sim.closeIdleConnections()).toBeGreaterThanOrEqual(1);
      await expect(idle.readResponse()).rejects.toThrow(/ended before a response head/);
      expect(busy.socket.readableEnded).toBe(false);
      await d.request('POST', `/v1.41/containers/${id}/kill`);
      expect((await busy.readResponse()).json()).toEqual({ Error: null, StatusCode: 137 });
    } finally {
      await idle.close();
      await busy.close();
      await d.close();
    }
  });

  it('close() kills running processes and closes hijacked connections', async () => {
    const d = await startTestDockerd();
    const id = await d.create({ Image: 'local/busybox:1', Cmd: ['sleep', '300'] });
    await d.request('POST', `/v1.41/containers/${id}/start`);
    const attached = await d.connect();
    await attached.request('POST', `/v1.41/containers/${id}/attach?stream=1&stdout=1`, {
      headers: [
        ['Upgrade', 'tcp'],
        ['Connection', 'Upgrade'],
      ],
    });
    await attached.readHead();
    const container = d.sim.engine.getContainer(id);
    await d.close();
    expect(container.process?.controller.signal.aborted ?? true).toBe(true);
    expect(await attached.readToEnd()).toBeInstanceOf(Buffer);
    await attached.close();
    await expect(d.sim.listen('tcp://127.0.0.1:0')).rejects.toMatchObject({ code: 'ERR_DOCKERD_SIM_USAGE' });
  });
});

describe('fault injection (sim.faults)', () => {
  it('error-status: answers the injected error instead of the endpoint, once when times=1', async () => {
    await using d = await startTestDockerd();
    d.sim.faults.set({
      method: 'GET',
      path: '/version',
      fault: { kind: 'error-status', status: 503, message: 'guest busy' },
      times: 1,
    });
    const faulted = await d.request('GET', '/v1.41/version');
    expect([faulted.status, faulted.json()]).toEqual([503, { message: 'guest busy' }]);
    expect((await d.request('GET', '/v1.41/version')).status).toBe(200);
  });

  it('answer-delay: answers normally after the delay', async () => {
    await using d = await startTestDockerd();
    d.sim.faults.set({ path: /^\/_ping$/, fault: { kind: 'answer-delay', ms: 80 } });
    const started = Date.now();
    expect((await d.request('GET', '/_ping')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    d.sim.faults.clear();
    expect(d.sim.faults.size).toBe(0);
  });

  it('reset-mid-answer: the connection resets after N bytes of the answer (TCP: RST; unix: close)', async () => {
    await using d = await startTestDockerd();
    d.sim.faults.set({ path: '/info', fault: { kind: 'reset-mid-answer', afterBytes: 40 } });
    const connection = await d.connect();
    try {
      await connection.request('GET', '/v1.41/info');
      const outcome = await connection.readToEnd().then(
        (data) => ({ bytes: data.length, error: undefined }),
        (error: NodeJS.ErrnoException) => ({ bytes: 0, error: error.code }),
      );
      expect(outcome.bytes).toBeLessThanOrEqual(40);
      expect([undefined, 'ECONNRESET']).toContain(outcome.error);
    } finally {
      await connection.close();
    }
  });

  it('rejects a fault it does not inject, or one out of range, with ERR_FAULT_INVALID', async () => {
    await using d = await startTestDockerd();
    const transport = { kind: 'connect-stall' } as unknown as DockerdFault;
    expect(() => d.sim.faults.set({ path: '/_ping', fault: transport })).toThrow(
      expect.objectContaining({ code: 'ERR_FAULT_INVALID' }),
    );
    expect(() => d.sim.faults.set({ path: '/_ping', fault: { kind: 'answer-delay', ms: -1 } })).toThrow(
      expect.objectContaining({ code: 'ERR_FAULT_INVALID' }),
    );
    expect(d.sim.faults.size).toBe(0);
  });

  it('answer-stall: never answers until the client leaves', async () => {
    await using d = await startTestDockerd();
    const remove = d.sim.faults.set({ path: '/_ping', fault: { kind: 'answer-stall' } });
    const connection = await d.connect();
    await connection.request('GET', '/_ping');
    const raced = await Promise.race([
      connection.readHead().then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('stalled'), 100)),
    ]);
    expect(raced).toBe('stalled');
    await connection.close();
    remove();
    await eventually(async () => (await d.request('GET', '/_ping')).status === 200, {
      description: 'ping after removing the fault',
    });
  });
});
