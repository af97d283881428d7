// `npm run bench [-- --only proxy,bridge]`: every benchmark in turn, one line per figure with its
// ratio against a baseline measured in the same run; all figures go to reports/out/bench.json
// (shape: BenchReport in bench-figure.ts, described in bench/README.md).
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { formatFigure, type BenchFigure, type BenchReport } from './bench-figure.js';
import { runCleanups } from './bench-cleanup.js';
import { runBridgeThroughput } from './bridge-throughput.js';
import { runProxyOverhead } from './proxy-overhead.js';
import { runRegistryPrefix } from './registry-prefix.js';
import { REPO_ROOT } from './serve-child.js';
import { runServeMemory } from './serve-memory.js';
import { runSimulatedDockerd } from './simulated-dockerd.js';
import { runSuiteWallTime } from './suite-wall-time.js';
import { BENCH_ENV, BenchUsageError, checkBenchEnv } from './bench-env.js';

type Report = (figure: BenchFigure) => void;

export const BENCHMARKS: Readonly<
  Record<string, (report: Report) => Promise<BenchFigure[]> | BenchFigure[]>
> = {
  proxy: (report) => runProxyOverhead({}, report),
  bridge: (report) => runBridgeThroughput({}, report),
  registry: (report) => runRegistryPrefix({}, report),
  simulator: (report) => runSimulatedDockerd({}, report),
  suite: (report) => runSuiteWallTime({}, report),
  memory: (report) => runServeMemory({}, report),
};

/** `--only a,b` (or `--only=a,b`) → the selected names, in the default order. */
export function parseSelection(argv: readonly string[]): string[] {
  const names = Object.keys(BENCHMARKS);
  const selected: string[] = [];
  argv.forEach((arg, index) => {
    if (arg === '--only') selected.push(...(argv[index + 1] ?? '').split(','));
    else if (arg.startsWith('--only=')) selected.push(...arg.slice('--only='.length).split(','));
  });
  const wanted = selected.map((name) => name.trim()).filter((name) => name !== '');
  const unknown = wanted.filter((name) => !names.includes(name));
  if (unknown.length > 0)
    throw new BenchUsageError(`unknown benchmark(s) ${unknown.join(', ')}; known: ${names.join(', ')}`);
  return wanted.length === 0 ? names : names.filter((name) => wanted.includes(name));
}

export function buildBenchReport(
  startedAt: Date,
  selected: readonly string[],
  figures: readonly BenchFigure[],
): BenchReport {
  return {
    version: 1,
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    host: {
      node: process.version,
      cpus: availableParallelism(),
      platform: `${process.platform}/${process.arch}`,
    },
    selected,
    figures,
  };
}

async function main(): Promise<void> {
  const selected = parseSelection(process.argv.slice(2));
  checkBenchEnv(Object.keys(BENCH_ENV).filter((name) => name.startsWith('BENCH_')));
  const startedAt = new Date();
  const figures: BenchFigure[] = [];
  const out = join(REPO_ROOT, 'reports', 'out');
  for (const name of selected) {
    console.log(`== ${name}`);
    try {
      await BENCHMARKS[name]!((figure) => {
        figures.push(figure);
        console.log(formatFigure(figure));
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      figures.push({
        bench: name,
        name: 'run',
        value: null,
        unit: '',
        better: 'higher',
        skipped: `failed: ${reason}`,
      });
      console.log(`${name}: failed: ${reason}`);
    }
  }
  await mkdir(out, { recursive: true });
  const report = buildBenchReport(startedAt, selected, figures);
  await writeFile(join(out, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  const missed = figures.filter((figure) => figure.target !== undefined && !figure.target.met).length;
  console.log(
    `bench: ${figures.length} figures in ${report.durationSeconds.toFixed(0)} s, ${missed} target(s) not met; wrote reports/out/bench.json`,
  );
}

try {
  await main();
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  console.error(`bench: ${error.message}`);
  process.exitCode = 2;
} finally {
  await runCleanups();
}
