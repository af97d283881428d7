// Proxy overhead: GET /_ping and GET /containers/json through a `berth serve` child process vs
// straight to the same guest (a simulated dockerd child and, when it answers, the real dockerd),
// and through socat relaying the same socket: the cost of a byte relay that does no HTTP at all.
//   node --import tsx bench/proxy-overhead.ts   (BENCH_DURATION_MS per measurement, default 1500;
//   BENCH_PROXY_ROUNDS, default 3: figures are medians)
import {
  buildFigure,
  formatFigure,
  median,
  skippedFigure,
  takeTurns,
  type BenchFigure,
} from './bench-figure.js';
import { runCleanups } from './bench-cleanup.js';
import { runLoad } from './http-load.js';
import { isMain } from './is-main.js';
import { REAL_DOCKERD_SOCKET, dockerdAnswers } from './real-dockerd.js';
import { startServeChild, startSimChild } from './serve-child.js';
import { SOCAT_HINT, socatPath, startSocat } from './socat.js';
import { envNumber } from './bench-env.js';

export interface ProxyOverheadOptions {
  readonly durationMs?: number;
  readonly paths?: readonly string[];
  readonly concurrencies?: readonly number[];
  /** Also measure in front of the real dockerd when it answers (default true). */
  readonly realDockerd?: boolean;
  /** Also measure socat relaying the same guest socket (default true; skipped when not installed). */
  readonly socat?: boolean;
  /** Rounds of each measurement; figures are medians (default BENCH_PROXY_ROUNDS or 3). */
  readonly rounds?: number;
}

const THROUGHPUT_TARGET = 0.8;
const ROUTES = ['direct', 'serve', 'socat'] as const;
type Route = (typeof ROUTES)[number];
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
        const label = `GET ${path} c=${concurrency} (${guestName})`;
        // Three processes share the cores, so one sample swings: the routes take turns for
        // several rounds and the medians are compared.
        const samples = await takeTurns(
          { direct: guestSocket, serve: serve.socketPath, socat: relay?.socketPath },
          options.rounds,
          (socketPath) => runLoad({ socketPath, path, concurrency, durationMs: options.durationMs }),
        );
        const pick = (route: Route, field: 'requestsPerSecond' | 'p50Ms' | 'p99Ms'): number[] =>
          samples[route].map((result) => result[field]);
        const med = (route: Route, field: 'requestsPerSecond' | 'p50Ms' | 'p99Ms'): number =>
          median(pick(route, field));
        const direct = med('direct', 'requestsPerSecond');
        const proxied = med('serve', 'requestsPerSecond');
        const ratio = proxied / direct;
        report(
          buildFigure('proxy', `${label} via berth serve`, proxied, 'req/s', {
            baseline: { name: 'direct', value: direct },
            samples: pick('serve', 'requestsPerSecond'),
            ...(concurrency >= 16
              ? { target: { text: `>= ${THROUGHPUT_TARGET}x`, met: ratio >= THROUGHPUT_TARGET } }
              : {}),
          }),
        );
        for (const field of ['p50Ms', 'p99Ms'] as const) {
          report(
            buildFigure('proxy', `${label} ${field.slice(0, 3)} via berth serve`, med('serve', field), 'ms', {
              better: 'lower',
              baseline: { name: 'direct', value: med('direct', field) },
            }),
          );
        }
        if (concurrency === 1) {
          const added = med('serve', 'p50Ms') - med('direct', 'p50Ms');
          report(
            buildFigure('proxy', `${label} added p50`, added, 'ms', {
              better: 'lower',
              target: { text: `< ${ADDED_P50_TARGET_MS} ms`, met: added < ADDED_P50_TARGET_MS },
            }),
          );
        }
        if (relay !== undefined) {
          const viaSocat = med('socat', 'requestsPerSecond');
          report(
            buildFigure('proxy', `${label} via socat relay (no proxy)`, viaSocat, 'req/s', {
              baseline: { name: 'direct', value: direct },
              samples: pick('socat', 'requestsPerSecond'),
            }),
          );
          report(
            buildFigure('proxy', `${label} via berth serve`, proxied, 'req/s', {
              baseline: { name: 'socat relay', value: viaSocat },
            }),
          );
          if (concurrency === 1) {
            const added = med('socat', 'p50Ms') - med('direct', 'p50Ms');
            report(
              buildFigure('proxy', `${label} added p50 via socat relay`, added, 'ms', { better: 'lower' }),
            );
          }
        }
        const errors = ROUTES.map((route) => samples[route].reduce((sum, result) => sum + result.errors, 0));
        if (errors.some((count) => count > 0)) {
          console.warn(`proxy: ${label}: ${errors.join('/')} errors (direct/berth serve/socat)`);
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
    durationMs: options.durationMs ?? envNumber('BENCH_DURATION_MS'),
    paths: options.paths ?? ['/_ping', '/containers/json'],
    concurrencies: options.concurrencies ?? [1, 16],
    realDockerd: options.realDockerd ?? true,
    socat: options.socat ?? true,
    rounds: options.rounds ?? envNumber('BENCH_PROXY_ROUNDS'),
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
