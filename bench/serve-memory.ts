// Memory of a `berth serve` child (VmRSS): idle, after 10k requests, and with 200 open hijacked
// streams (exec hijacks to a raw echo guest). The baseline is the idle RSS of the same child.
//   node --import tsx bench/serve-memory.ts   (BENCH_MEMORY_REQUESTS, BENCH_MEMORY_STREAMS)
import { randomBytes } from 'node:crypto';
import { Client } from 'undici';
import { buildFigure, formatFigure, type BenchFigure } from './bench-figure.js';
import { runCleanups } from './bench-cleanup.js';
import { buildExecStartRequest, openHijack, type Hijack } from './hijack-client.js';
import { isMain } from './is-main.js';
import { createRawUpgradeGuest } from './raw-upgrade-guest.js';
import { readRssKiB, startServeChild } from './serve-child.js';
import { envNumber } from './bench-env.js';

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runServeMemory(
  options: { readonly requests?: number; readonly streams?: number } = {},
  report: (figure: BenchFigure) => void = () => undefined,
): Promise<BenchFigure[]> {
  const requests = options.requests ?? envNumber('BENCH_MEMORY_REQUESTS');
  const streams = options.streams ?? envNumber('BENCH_MEMORY_STREAMS');
  const figures: BenchFigure[] = [];
  const collect = (figure: BenchFigure): void => {
    figures.push(figure);
    report(figure);
  };
  const guest = await createRawUpgradeGuest();
  const serve = await startServeChild({ native: guest.socketPath }, { platforms: { native: 'linux/amd64' } });
  const hijacks: Hijack[] = [];
  try {
    await settle(500);
    const idle = readRssKiB(serve.pid) / 1024;
    collect(buildFigure('memory', 'berth serve RSS idle', idle, 'MiB', { better: 'lower' }));
    const clients = Array.from(
      { length: 16 },
      () => new Client('http://localhost', { socketPath: serve.socketPath }),
    );
    let sent = 0;
    await Promise.all(
      clients.map(async (client) => {
        while (sent < requests) {
          sent += 1;
          const answer = await client.request({ method: 'GET', path: '/_ping' }).catch(() => undefined);
          await answer?.body.dump();
        }
      }),
    );
    await Promise.all(clients.map((client) => client.close()));
    await settle(500);
    const after = readRssKiB(serve.pid) / 1024;
    collect(
      buildFigure('memory', `berth serve RSS after ${requests} requests`, after, 'MiB', {
        better: 'lower',
        baseline: { name: 'idle', value: idle },
      }),
    );
    for (let n = 0; n < streams; n += 1) {
      const hijack = await openHijack(
        serve.socketPath,
        buildExecStartRequest(randomBytes(32).toString('hex')),
      );
      if (hijack.status !== 101) throw new Error(`hijack ${n} answered ${hijack.status}`);
      hijack.socket.resume();
      hijack.socket.write(Buffer.alloc(4096));
      hijacks.push(hijack);
    }
    await settle(500);
    const open = readRssKiB(serve.pid) / 1024;
    collect(
      buildFigure('memory', `berth serve RSS with ${streams} open hijacked streams`, open, 'MiB', {
        better: 'lower',
        baseline: { name: 'idle', value: idle },
      }),
    );
  } finally {
    for (const hijack of hijacks) hijack.socket.destroy();
    await serve.close();
    await guest.close();
  }
  return figures;
}

if (isMain(import.meta.url)) {
  try {
    await runServeMemory({}, (figure) => console.log(formatFigure(figure)));
  } finally {
    await runCleanups();
  }
}
