// Bridge throughput: an exec hijack through `berth serve` (the reference proxy's upgrade path) to a
// guest that echoes raw bytes after its 101, against a direct connection and against socat relaying
// the same unix sockets; then, when a real dockerd answers, `exec -i cat` through berth serve and
// through socat vs straight to that dockerd (medians of several rounds).
//   node --import tsx bench/bridge-throughput.ts   (BENCH_BRIDGE_MIB, default 1024; BENCH_BRIDGE_REAL_MIB,
//   default 256; BENCH_BRIDGE_REAL_ROUNDS, default 5)
import { randomBytes } from 'node:crypto';
import {
  buildFigure,
  formatFigure,
  median,
  skippedFigure,
  takeTurns,
  type BenchFigure,
} from './bench-figure.js';
import { onCleanup, runCleanups } from './bench-cleanup.js';
import { buildExecStartRequest, openHijack, pumpHijack } from './hijack-client.js';
import { isMain } from './is-main.js';
import { createRawUpgradeGuest } from './raw-upgrade-guest.js';
import { REAL_DOCKERD_SOCKET, dockerJson, dockerdAnswers } from './real-dockerd.js';
import { startServeChild } from './serve-child.js';
import { SOCAT_HINT, socatPath, startSocat } from './socat.js';
import { envNumber } from './bench-env.js';

const MIB = 1024 * 1024;
const SOCAT_TARGET = 0.9;

export interface BridgeOptions {
  /** Bytes each way through the echo guest (default BENCH_BRIDGE_MIB or 1024 MiB). */
  readonly bytes?: number;
  /** Bytes each way through `exec -i cat` on the real dockerd (default BENCH_BRIDGE_REAL_MIB or 256 MiB). */
  readonly realBytes?: number;
  /** Rounds of direct / berth serve / socat against the real dockerd (default BENCH_BRIDGE_REAL_ROUNDS or 5). */
  readonly realRounds?: number;
  readonly socat?: boolean;
  readonly realDockerd?: boolean;
}

/** MiB/s each way for one echo hijack of `bytes` each way. */
async function echoRate(socketPath: string, execId: string, bytes: number): Promise<number> {
  const hijack = await openHijack(socketPath, buildExecStartRequest(execId));
  if (hijack.status !== 101) throw new Error(`expected 101, got ${hijack.status}`);
  const { received, elapsedMs } = await pumpHijack(hijack, bytes);
  if (received !== bytes) throw new Error(`sent ${bytes} bytes, ${received} came back`);
  return bytes / MIB / (elapsedMs / 1000);
}

/** `exec -i cat` on a real dockerd: MiB/s each way (stdout comes back stdcopy-framed). */
async function realDockerdFigures(
  bytes: number,
  rounds: number,
  report: (figure: BenchFigure) => void,
): Promise<void> {
  const socket = REAL_DOCKERD_SOCKET;
  const created = await dockerJson(
    socket,
    'POST',
    `/v1.41/containers/create?name=berth-bench-${randomBytes(4).toString('hex')}`,
    {
      Image: 'local/busybox:1',
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: 'none' },
    },
  );
  const id = (created.json as { Id: string }).Id;
  const remove = async (): Promise<void> => {
    unregister();
    await dockerJson(socket, 'DELETE', `/v1.41/containers/${id}?force=1`).catch(() => undefined);
  };
  const unregister = onCleanup(remove);
  const serve = await startServeChild({ native: socket });
  try {
    await dockerJson(socket, 'POST', `/v1.41/containers/${id}/start`);
    const rate = async (via: string): Promise<number> => {
      const exec = await dockerJson(socket, 'POST', `/v1.41/containers/${id}/exec`, {
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        Cmd: ['cat'],
      });
      const execId = (exec.json as { Id: string }).Id;
      const hijack = await openHijack(via, buildExecStartRequest(execId, false));
      if (hijack.status !== 101) throw new Error(`exec start answered ${hijack.status}`);
      const { received, elapsedMs } = await pumpHijack(hijack, bytes);
      if (received < bytes) throw new Error(`sent ${bytes} bytes to cat, ${received} came back`);
      return bytes / MIB / (elapsedMs / 1000);
    };
    // dockerd, its shim and cat share the cores with the proxy: single runs swing widely, so
    // the routes take turns for several rounds and the medians are compared.
    const socat = socatPath();
    const relay = socat === undefined ? undefined : await startSocat(socat, socket);
    try {
      const samples = await takeTurns(
        { direct: socket, serve: serve.socketPath, socat: relay?.socketPath },
        rounds,
        rate,
      );
      const direct = median(samples.direct);
      const proxied = median(samples.serve);
      const label = `exec -i cat ${bytes / MIB} MiB each way`;
      report(
        buildFigure('bridge', `${label} via berth serve (real dockerd)`, proxied, 'MiB/s', {
          baseline: { name: 'direct to dockerd', value: direct },
          target: { text: '>= 0.9x (never the bottleneck)', met: proxied / direct >= 0.9 },
          samples: samples.serve,
        }),
      );
      if (relay === undefined) {
        report(skippedFigure('bridge', `${label} via socat (real dockerd)`, SOCAT_HINT));
      } else {
        const viaSocat = median(samples.socat);
        report(
          buildFigure('bridge', `${label} via socat (real dockerd, no proxy)`, viaSocat, 'MiB/s', {
            baseline: { name: 'direct to dockerd', value: direct },
            samples: samples.socat,
          }),
        );
        report(
          buildFigure('bridge', `${label} via berth serve (real dockerd)`, proxied, 'MiB/s', {
            baseline: { name: 'socat', value: viaSocat },
          }),
        );
      }
    } finally {
      await relay?.close();
    }
  } finally {
    await serve.close();
    await remove();
  }
}

export async function runBridgeThroughput(
  options: BridgeOptions = {},
  report: (figure: BenchFigure) => void = () => undefined,
): Promise<BenchFigure[]> {
  const bytes = options.bytes ?? envNumber('BENCH_BRIDGE_MIB') * MIB;
  const realBytes = options.realBytes ?? envNumber('BENCH_BRIDGE_REAL_MIB') * MIB;
  const realRounds = options.realRounds ?? envNumber('BENCH_BRIDGE_REAL_ROUNDS');
  const figures: BenchFigure[] = [];
  const collect = (figure: BenchFigure): void => {
    figures.push(figure);
    report(figure);
  };
  const guest = await createRawUpgradeGuest();
  // --platform skips the /version probe, which this raw guest would answer with a 101.
  const serve = await startServeChild({ native: guest.socketPath }, { platforms: { native: 'linux/amd64' } });
  try {
    const execId = randomBytes(32).toString('hex');
    await echoRate(serve.socketPath, execId, Math.min(bytes, 8 * MIB)); // warm-up
    const direct = await echoRate(guest.socketPath, execId, bytes);
    const proxied = await echoRate(serve.socketPath, execId, bytes);
    const label = `exec hijack ${bytes / MIB} MiB each way`;
    collect(
      buildFigure('bridge', `${label} via berth serve`, proxied, 'MiB/s', {
        baseline: { name: 'direct', value: direct },
      }),
    );
    const socat = options.socat === false ? undefined : socatPath();
    if (options.socat === false) {
      collect(skippedFigure('bridge', `${label} vs socat`, 'disabled'));
    } else if (socat === undefined) {
      collect(skippedFigure('bridge', `${label} vs socat`, SOCAT_HINT));
    } else {
      const relay = await startSocat(socat, guest.socketPath);
      try {
        const viaSocat = await echoRate(relay.socketPath, execId, bytes);
        collect(
          buildFigure('bridge', `${label} via socat (no proxy)`, viaSocat, 'MiB/s', {
            baseline: { name: 'direct', value: direct },
          }),
        );
        collect(
          buildFigure('bridge', `${label} via berth serve`, proxied, 'MiB/s', {
            baseline: { name: 'socat', value: viaSocat },
            target: { text: `>= ${SOCAT_TARGET}x socat`, met: proxied / viaSocat >= SOCAT_TARGET },
          }),
        );
      } finally {
        await relay.close();
      }
    }
  } finally {
    await serve.close();
    await guest.close();
  }
  if (options.realDockerd !== false) {
    if (await dockerdAnswers()) {
      try {
        await realDockerdFigures(realBytes, realRounds, collect);
      } catch (error) {
        collect(
          skippedFigure(
            'bridge',
            'exec -i cat (real dockerd)',
            error instanceof Error ? error.message : String(error),
          ),
        );
      }
    } else {
      collect(
        skippedFigure('bridge', 'exec -i cat (real dockerd)', `no dockerd answers at ${REAL_DOCKERD_SOCKET}`),
      );
    }
  }
  return figures;
}

if (isMain(import.meta.url)) {
  try {
    await runBridgeThroughput({}, (figure) => console.log(formatFigure(figure)));
  } finally {
    await runCleanups();
  }
}
