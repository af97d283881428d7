// Simulated dockerd speed: /_ping requests/s and create+start+remove cycles/s of a `berth sim dockerd`
// child against the real dockerd (the simulator must be faster so it never limits a benchmark).
//   node --import tsx bench/simulated-dockerd.ts
import { randomBytes } from 'node:crypto';
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
import { REAL_DOCKERD_SOCKET, dockerJson, dockerdAnswers } from './real-dockerd.js';
import { startSimChild } from './serve-child.js';
import { envNumber } from './bench-env.js';

/** create + start + remove(force) of `local/busybox:1 true` for about `durationMs`; returns cycles/s. */
export async function lifecycleRate(socketPath: string, durationMs: number): Promise<number> {
  const started = process.hrtime.bigint();
  let cycles = 0;
  let elapsedMs = 0;
  const tag = randomBytes(4).toString('hex');
  while (elapsedMs < durationMs || cycles === 0) {
    const created = await dockerJson(
      socketPath,
      'POST',
      `/v1.41/containers/create?name=berth-bench-${tag}-${cycles}`,
      {
        Image: 'local/busybox:1',
        Cmd: ['true'],
        HostConfig: { NetworkMode: 'none' },
      },
    );
    const id = (created.json as { Id: string }).Id;
    try {
      await dockerJson(socketPath, 'POST', `/v1.41/containers/${id}/start`);
    } finally {
      await dockerJson(socketPath, 'DELETE', `/v1.41/containers/${id}?force=1`);
    }
    cycles += 1;
    elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  }
  return (cycles / elapsedMs) * 1000;
}

export async function runSimulatedDockerd(
  options: { readonly durationMs?: number } = {},
  report: (figure: BenchFigure) => void = () => undefined,
): Promise<BenchFigure[]> {
  const durationMs = options.durationMs ?? envNumber('BENCH_DURATION_MS');
  const figures: BenchFigure[] = [];
  const collect = (figure: BenchFigure): void => {
    figures.push(figure);
    report(figure);
  };
  const real = await dockerdAnswers();
  const sim = await startSimChild('bench-sim');
  try {
    // Alternating rounds against the two daemons (when the real one answers); medians compared.
    const { sim: pingSamples, real: realPingSamples } = await takeTurns(
      { sim: sim.socketPath, real: real ? REAL_DOCKERD_SOCKET : undefined },
      envNumber('BENCH_PROXY_ROUNDS'),
      async (socketPath) =>
        (await runLoad({ socketPath, path: '/_ping', concurrency: 16, durationMs, warmupMs: 500 }))
          .requestsPerSecond,
    );
    const ping = { requestsPerSecond: median(pingSamples) };
    const cycles = await lifecycleRate(sim.socketPath, durationMs);
    if (!real) {
      const reason = `no dockerd answers at ${REAL_DOCKERD_SOCKET} (scripts/real-dockerd.sh start)`;
      collect(
        buildFigure('simulator', 'GET /_ping c=16 (simulated dockerd)', ping.requestsPerSecond, 'req/s'),
      );
      collect(buildFigure('simulator', 'create+start+remove (simulated dockerd)', cycles, 'cycles/s'));
      collect(skippedFigure('simulator', 'real dockerd baseline', reason));
      return figures;
    }
    const realPing = { requestsPerSecond: median(realPingSamples) };
    const realCycles = await lifecycleRate(REAL_DOCKERD_SOCKET, Math.max(durationMs, 2000));
    const faster = (value: number, baseline: number): { text: string; met: boolean } => ({
      text: '> 1x (faster than the real dockerd)',
      met: value > baseline,
    });
    collect(
      buildFigure('simulator', 'GET /_ping c=16 (simulated dockerd)', ping.requestsPerSecond, 'req/s', {
        baseline: { name: 'real dockerd', value: realPing.requestsPerSecond },
        target: faster(ping.requestsPerSecond, realPing.requestsPerSecond),
        samples: pingSamples,
      }),
    );
    collect(
      buildFigure('simulator', 'create+start+remove (simulated dockerd)', cycles, 'cycles/s', {
        baseline: { name: 'real dockerd', value: realCycles },
        target: faster(cycles, realCycles),
      }),
    );
  } finally {
    await sim.close();
  }
  return figures;
}

if (isMain(import.meta.url)) {
  try {
    await runSimulatedDockerd({}, (figure) => console.log(formatFigure(figure)));
  } finally {
    await runCleanups();
  }
}
