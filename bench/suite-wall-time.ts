// Suite wall time: `node bin/berth.js run --profile P --out <tmp>` (CI=true) for quick, core and
// full against the reference; prints seconds and the ratio to core. BENCH_SKIP_FULL=1 skips full.
//   node --import tsx bench/suite-wall-time.ts
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFigure, formatFigure, skippedFigure, type BenchFigure } from './bench-figure.js';
import { onCleanup, runCleanups, trackChild } from './bench-cleanup.js';
import { isMain } from './is-main.js';
import { REPO_ROOT } from './serve-child.js';

/** Runs one profile; resolves with seconds, exit code and the closing summary line. */
export async function timeProfile(
  profile: string,
): Promise<{ seconds: number; code: number; summary: string }> {
  const out = await mkdtemp(join(tmpdir(), 'berth-bench-suite-'));
  const unregister = onCleanup(() => rm(out, { recursive: true, force: true }));
  try {
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      ['bin/berth.js', 'run', '--profile', profile, '--out', out, '--no-progress'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CI: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    trackChild(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output = (output + text).slice(-8192)));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output = (output + text).slice(-8192)));
    const code = await new Promise<number>((resolve) => child.once('exit', (exit) => resolve(exit ?? 1)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary =
      [...output.matchAll(/\d+ passed, \d+ failed, \d+ skipped/g)].at(-1)?.[0] ?? 'no summary line';
    return { seconds, code, summary };
  } finally {
    unregister();
    await rm(out, { recursive: true, force: true });
  }
}

export async function runSuiteWallTime(
  options: { readonly profiles?: readonly string[] } = {},
  report: (figure: BenchFigure) => void = () => undefined,
): Promise<BenchFigure[]> {
  const skipFull = process.env.BENCH_SKIP_FULL === '1';
  const profiles = options.profiles ?? ['quick', 'core', 'full'];
  const figures: BenchFigure[] = [];
  const collect = (figure: BenchFigure): void => {
    figures.push(figure);
    report(figure);
  };
  const times = new Map<string, number>();
  for (const profile of profiles) {
    if (profile === 'full' && skipFull) {
      collect(skippedFigure('suite', 'profile full', 'BENCH_SKIP_FULL=1'));
      continue;
    }
    const { seconds, code, summary } = await timeProfile(profile);
    times.set(profile, seconds);
    console.log(`suite: profile ${profile}: exit ${code}, ${summary}`);
  }
  const core = times.get('core');
  for (const [profile, seconds] of times) {
    collect(
      buildFigure(
        'suite',
        `profile ${profile} wall time`,
        seconds,
        's',
        core === undefined
          ? { better: 'lower' }
          : { better: 'lower', baseline: { name: 'core', value: core } },
      ),
    );
  }
  return figures;
}

if (isMain(import.meta.url)) {
  try {
    await runSuiteWallTime({}, (figure) => console.log(formatFigure(figure)));
  } finally {
    await runCleanups();
  }
}
