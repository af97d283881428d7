// Proxy overhead: GET /_ping and GET /containers/json through a `berth serve` child process vs
// straight to the same guest (a simulated dockerd child and, when it answers, the real dockerd),
// and through socat relaying the same socket: the cost of a byte relay that does no HTTP at all.
//   node --import tsx bench/proxy-overhead.ts      (BENCH_DURATION_MS per measurement, default 1500)
import { buildFigure, formatFigure, skippedFigure, type BenchFigure } from './bench-figure.js';
import { runCleanups } from './bench-cleanup.js';
import { runLoad, type LoadResult } from './http-load.js';
import { isMain } from './is-main.js';
import { REAL_DOCKERD_SOCKET, dockerdAnswers } from './real-dockerd.js';
import { startServeChild, startSimChild } from './serve-child.js';
import { SOCAT_HINT, socatPath, startSocat } from './socat.js';

export interface ProxyOverheadOptions {
  readonly durationMs?: number;
  readonly paths?: readonly string[];
  readonly concurrencies?: readonly number[];
  /** Also measure in front of the real dockerd when it answers (default true). */
  readonly realDockerd?: boolean;
  /** Also measure socat relaying the same guest socket (default true; skipped when not installed). */
  readonly socat?: boolean;
}

const THROUGHPUT_TARGET = 0.8;
const ADDED_P50_TARGET_MS = 0.2;

async function measureGuest(
  guestName: string,
  guestSocket: string,
  options: Required<ProxyOverheadOptions>,
  report: (figure: BenchFigure) => void,
): Promise<void> {
  const serve = await startServeChild({ native: guestSocket });
  // socat relaying bytes (no HTTP at all, a process per connection, in C) is what any proxy
  // costs at the least on this machine: the floor the targets should be read against.
  const socat = options.socat ? socatPath() : undefined;
  const relay = socat === undefined ? undefined : await startSocat(socat, guestSocket);
  if (options.socat && socat === undefined)
    report(skippedFigure('proxy', `socat relay (${guestName})`, SOCAT_HINT));
  try {
    // The child compiles and optimises its hot path under load: a second of it before measuring.
    await runLoad({ socketPath: serve.socketPath, path: '/_ping', concurrency: 4, durationMs: 1000 });
    for (const path of options.paths) {
      for (const concurrency of options.concurrencies) {
        const load = (socketPath: string): Promise<LoadResult> =>
          runLoad({ socketPath, path, concurrency, durationMs: options.durationMs });
        const direct = await load(guestSocket);
        const proxied = await load(serve.socketPath);
        const label = `GET ${path} c=${concurrency} (${guestName})`;
        const ratio = proxied.requestsPerSecond / direct.requestsPerSecond;
        report(
          buildFigure('proxy', `${label} via berth serve`, proxied.requestsPerSecond, 'req/s', {
            baseline: { name: 'direct', value: direct.requestsPerSecond },
            ...(concurrency >= 16
              ? { target: { text: `>= ${THROUGHPUT_TARGET}x`, met: ratio >= THROUGHPUT_TARGET } }
              : {}),
          }),
        );
        report(
          buildFigure('proxy', `${label} p50 via berth serve`, proxied.p50Ms, 'ms', {
            better: 'lower',
            baseline: { name: 'direct', value: direct.p50Ms },
          }),
        );
        report(
          buildFigure('proxy', `${label} p99 via berth serve`, proxied.p99Ms, 'ms', {
            better: 'lower',
            baseline: { name: 'direct', value: direct.p99Ms },
          }),
        );
        if (concurrency === 1) {
          const added = proxied.p50Ms - direct.p50Ms;
          report(
            buildFigure('proxy', `${label} added p50`, added, 'ms', {
              better: 'lower',
              target: { text: `< ${ADDED_P50_TARGET_MS} ms`, met: added < ADDED_P50_TARGET_MS },
            }),
          );
        }
        if (relay !== undefined) {
          const viaSocat = await load(relay.socketPath);
          report(
            buildFigure('proxy', `${label} via socat relay (no proxy)`, viaSocat.requestsPerSecond, 'req/s', {
              baseline: { name: 'direct', value: direct.requestsPerSecond },
            }),
          );
          report(
            buildFigure('proxy', `${label} via berth serve`, proxied.requestsPerSecond, 'req/s', {
              baseline: { name: 'socat relay', value: viaSocat.requestsPerSecond },
            }),
          );
          if (concurrency === 1) {
            report(
              buildFigure(
                'proxy',
                `${label} added p50 via socat relay`,
                viaSocat.p50Ms - direct.p50Ms,
                'ms',
                {
                  better: 'lower',
                },
              ),
            );
          }
        }
        if (direct.errors + proxied.errors > 0) {
          console.warn(`proxy: ${label}: ${direct.errors} direct and ${proxied.errors} proxied errors`);
        }
      }
    }
  } finally {
    await relay?.close();
    await serve.close();
  }
}

export async function runProxyOverhead(
  options: ProxyOverheadOptions = {},
  report: (figure: BenchFigure) => void = () => undefined,
): Promise<BenchFigure[]> {
  const resolved: Required<ProxyOverheadOptions> = {
    durationMs: options.durationMs ?? Number(process.env.BENCH_DURATION_MS ?? 1500),
    paths: options.paths ?? ['/_ping', '/containers/json'],
    concurrencies: options.concurrencies ?? [1, 16],
    realDockerd: options.realDockerd ?? true,
    socat: options.socat ?? true,
  };
  const figures: BenchFigure[] = [];
  const collect = (figure: BenchFigure): void => {
    figures.push(figure);
    report(figure);
  };
  const sim = await startSimChild('bench-sim');
  try {
    await measureGuest('simulated dockerd', sim.socketPath, resolved, collect);
  } finally {
    await sim.close();
  }
  if (resolved.realDockerd) {
    if (await dockerdAnswers()) await measureGuest('real dockerd', REAL_DOCKERD_SOCKET, resolved, collect);
    else
      collect(
        skippedFigure(
          'proxy',
          'real dockerd',
          `no dockerd answers at ${REAL_DOCKERD_SOCKET} (start one: scripts/real-dockerd.sh start)`,
        ),
      );
  }
  return figures;
}

if (isMain(import.meta.url)) {
  try {
    await runProxyOverhead({}, (figure) => console.log(formatFigure(figure)));
  } finally {
    await runCleanups();
  }
}
