// Soak: SOAK_REQUESTS (default 100k) mixed requests, concurrency SOAK_CONCURRENCY (16), through a
// `berth serve` child in front of two simulated guests, each behind a relay faulting SOAK_FAULT_RATE
// (5%) of the requests it carries (refuse, reset, garbage, stall-then-close) plus 500s from the
// simulator's faults registry. Loopback only. Exits 1 when a check fails (see soak-checks.ts).
//   npm run soak      (SOAK_REQUESTS=N, SOAK_MAX_SECONDS=600)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { createSimulatedDockerd } from '../simulators/dockerd/index.js';
import { onCleanup, runCleanups } from './bench-cleanup.js';
import { createFaultRelayServer, type RelayFault } from './fault-relay-server.js';
import { buildExecStartRequest, openHijack } from './hijack-client.js';
import { isMain } from './is-main.js';
import { countFds, readRssKiB, startServeChild } from './serve-child.js';
import { evaluateSoak, settleCount, type SoakVerdict } from './soak-checks.js';
import { BENCH_ENV, BenchUsageError, checkBenchEnv, envNumber } from './bench-env.js';

export interface SoakOptions {
  readonly requests?: number;
  readonly concurrency?: number;
  readonly faultRate?: number;
  /** Every request must end within this (else it counts as a hang). */
  readonly deadlineMs?: number;
  readonly maxSeconds?: number;
  readonly rssBound?: number;
  readonly log?: (line: string) => void;
}

const FAULTS: readonly RelayFault[] = ['drop-request', 'reset-before-head', 'garbage-answer', 'answer-stall'];

/** A small deterministic PRNG (mulberry32) so that a run can be replayed with SOAK_SEED. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runSoak(options: SoakOptions = {}): Promise<SoakVerdict> {
  const total = options.requests ?? envNumber('SOAK_REQUESTS');
  const concurrency = options.concurrency ?? envNumber('SOAK_CONCURRENCY');
  const faultRate = options.faultRate ?? envNumber('SOAK_FAULT_RATE');
  const deadlineMs = options.deadlineMs ?? 10_000;
  const maxSeconds = options.maxSeconds ?? envNumber('SOAK_MAX_SECONDS');
  const log = options.log ?? ((line: string) => console.log(line));
  const chosenSeed = envNumber('SOAK_SEED');
  const seed = Number.isNaN(chosenSeed) ? Date.now() % 2 ** 31 : chosenSeed;
  const random = prng(seed);
  let faulting = true;
  const pick = (): RelayFault =>
    faulting && random() < faultRate ? FAULTS[Math.floor(random() * FAULTS.length)]! : 'none';

  const sims = [
    createSimulatedDockerd({ name: 'soak-native', architecture: 'arm64' }),
    createSimulatedDockerd({ name: 'soak-amd64', architecture: 'amd64' }),
  ];
  onCleanup(() => Promise.all(sims.map((sim) => sim.close())).then(() => undefined));
  const simDir = await mkdtemp(join(tmpdir(), 'berth-soak-sims-'));
  onCleanup(() => rm(simDir, { recursive: true, force: true }));
  const relays = [];
  for (const sim of sims) {
    const guest = await sim.listen(`unix://${join(simDir, `${sim.name}.sock`)}`);
    relays.push(await createFaultRelayServer(guest.slice('unix://'.length), { pick, stallMs: 300 }));
    // The simulator's own faults: a 500 on some inspects.
    sim.faults.set({
      method: 'GET',
      path: /^\/containers\/[^/]+\/json$/,
      fault: { kind: 'error-status', status: 500 },
      times: Math.ceil(total * faultRate * 0.05),
    });
  }
  const serve = await startServeChild(
    { native: relays[0]!.socketPath, amd64: relays[1]!.socketPath },
    { platforms: { native: 'linux/arm64', amd64: 'linux/amd64' }, handshakeTimeoutMs: 2000 },
  );
  let sent = 0;
  let done = 0;
  let hangs = 0;
  let faultedAnswers = 0;
  const started = Date.now();
  const rss: number[] = [];
  let rssWarmKiB = 0;
  let nextSample = Math.max(1, Math.floor(total / 50));
  const clients = Array.from(
    { length: concurrency },
    () => new Client('http://localhost', { socketPath: serve.socketPath, pipelining: 1 }),
  );

  /** One HTTP exchange with a deadline; resolves with the status (0 on a transport error). */
  const call = async (
    client: Client,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    sent += 1;
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      const answer = await client.request({
        method,
        path,
        signal,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const text = await answer.body.text();
      if (answer.statusCode >= 500) faultedAnswers += 1;
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: answer.statusCode, json };
    } catch (error) {
      if (signal.aborted) hangs += 1;
      else faultedAnswers += 1;
      void error;
      return { status: 0, json: undefined };
    } finally {
      done += 1;
      if (done >= nextSample) {
        nextSample += Math.max(1, Math.floor(total / 50));
        if (serve.alive()) rss.push(readRssKiB(serve.pid));
        if (rssWarmKiB === 0 && done >= total * 0.1) rssWarmKiB = rss.at(-1) ?? 0;
      }
    }
  };

  const hijack = async (execId: string): Promise<void> => {
    sent += 1;
    try {
      const opened = await openHijack(serve.socketPath, buildExecStartRequest(execId, false), deadlineMs);
      if (opened.status !== 101) {
        faultedAnswers += opened.status >= 500 ? 1 : 0;
        opened.socket.destroy();
        return;
      }
      opened.socket.end();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          hangs += 1;
          resolve();
        }, deadlineMs);
        opened.socket.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
        opened.socket.on('error', () => undefined);
        opened.socket.resume();
      });
      opened.socket.destroy();
    } catch (error) {
      if (error instanceof Error && /within/.test(error.message)) hangs += 1;
      else faultedAnswers += 1;
    } finally {
      done += 1;
    }
  };

  const scenario = async (client: Client): Promise<void> => {
    const roll = random();
    if (roll < 0.5) {
      const paths = [
        '/_ping',
        '/v1.41/containers/json?all=1',
        '/v1.41/version',
        '/v1.41/info',
        '/v1.41/images/json',
      ];
      await call(client, 'GET', paths[Math.floor(random() * paths.length)]!);
      return;
    }
    const platform = random() < 0.5 ? 'linux/arm64' : 'linux/amd64';
    const interactive = roll >= 0.8;
    const created = await call(
      client,
      'POST',
      `/v1.41/containers/create?platform=${encodeURIComponent(platform)}`,
      {
        Image: 'local/busybox:1',
        Cmd: interactive ? ['sleep', '30'] : ['echo', 'soak'],
        HostConfig: { NetworkMode: 'none' },
      },
    );
    const id = (created.json as { Id?: string } | undefined)?.Id;
    if (id === undefined) return;
    await call(client, 'POST', `/v1.41/containers/${id}/start`);
    if (interactive) {
      const exec = await call(client, 'POST', `/v1.41/containers/${id}/exec`, {
        AttachStdout: true,
        AttachStdin: true,
        Cmd: ['echo', 'hi'],
      });
      const execId = (exec.json as { Id?: string } | undefined)?.Id;
      if (execId !== undefined) await hijack(execId);
    } else {
      await call(client, 'POST', `/v1.41/containers/${id}/wait`);
      await call(client, 'GET', `/v1.41/containers/${id}/logs?stdout=1&stderr=1`);
      await call(client, 'GET', `/v1.41/containers/${id.slice(0, 12)}/json`);
    }
    await call(client, 'DELETE', `/v1.41/containers/${id}?force=1`);
  };

  try {
    // Warm up, then take the fd baseline with every client and kept guest connection closed.
    await Promise.all(clients.map((client) => call(client, 'GET', '/_ping')));
    await Promise.all(clients.map((client) => client.close()));
    for (const sim of sims) sim.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fdsStart = countFds(serve.pid);
    const workers = Array.from({ length: concurrency }, async () => {
      let client = new Client('http://localhost', { socketPath: serve.socketPath, pipelining: 1 });
      try {
        while (sent < total && Date.now() - started < maxSeconds * 1000) {
          await scenario(client);
          if (client.destroyed || client.closed)
            client = new Client('http://localhost', { socketPath: serve.socketPath });
        }
      } finally {
        await client.close().catch(() => undefined);
      }
    });
    let lastLog = Date.now();
    const progress = setInterval(() => {
      if (Date.now() - lastLog >= 10_000) {
        lastLog = Date.now();
        log(
          `soak: ${done}/${total} requests, ${hangs} hangs, RSS ${((rss.at(-1) ?? 0) / 1024).toFixed(0)} MiB`,
        );
      }
    }, 1000);
    await Promise.all(workers);
    clearInterval(progress);
    const seconds = (Date.now() - started) / 1000;
    faulting = false; // the end-of-run checks must not meet injected faults
    // Idle settle: the clients are gone, and the guests close the keep-alive connections the
    // proxy holds (as a dockerd may at any time): the proxy must let go of every one of them.
    let crashes = serve.alive() ? 0 : 1;
    let fdsEnd = fdsStart;
    let rssEndKiB = 0;
    if (crashes === 0) {
      for (const sim of sims) sim.closeIdleConnections();
      fdsEnd = await settleCount(() => countFds(serve.pid), fdsStart, 5000);
      rssEndKiB = readRssKiB(serve.pid);
      const ping = new Client('http://localhost', { socketPath: serve.socketPath });
      const answer = await ping
        .request({ method: 'GET', path: '/_ping', signal: AbortSignal.timeout(5000) })
        .then(async (res) => (await res.body.text(), res.statusCode))
        .catch(() => 0);
      await ping.close();
      if (answer !== 200) crashes = 1;
    }
    const relayFaults = relays.reduce(
      (sum, relay) =>
        sum +
        relay.counts['drop-request'] +
        relay.counts['reset-before-head'] +
        relay.counts['garbage-answer'] +
        relay.counts['answer-stall'],
      0,
    );
    log(
      `soak: seed ${seed}; relay faults ${JSON.stringify(relays.map((relay) => relay.counts))}; ${faultedAnswers} requests saw a 5xx or a transport error`,
    );
    return evaluateSoak({
      requests: done,
      faulted: relayFaults,
      seconds,
      crashes,
      hangs,
      fdsStart,
      fdsEnd,
      rssWarmKiB: rssWarmKiB || (rss[0] ?? rssEndKiB),
      rssEndKiB,
      rssBound: options.rssBound ?? 1.5,
    });
  } finally {
    await Promise.all(clients.map((client) => client.destroy().catch(() => undefined)));
    await serve.close();
    for (const relay of relays) await relay.close();
    await Promise.all(sims.map((sim) => sim.close()));
    await rm(simDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  let code = 1;
  try {
    checkBenchEnv(Object.keys(BENCH_ENV).filter((name) => name.startsWith('SOAK_')));
    const verdict = await runSoak();
    console.log(verdict.line);
    code = verdict.ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`soak: ${error.message}`);
    code = 2;
  } finally {
    await runCleanups();
  }
  process.exit(code);
}
