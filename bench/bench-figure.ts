/**
 * One measured figure, as printed and as written to reports/out/bench.json (see bench/README.md).
 * `ratio` is `value / baselineValue` (or its inverse for "lower is better" figures, see `better`);
 * both are measured in the same run.
 */
export interface BenchFigure {
  /** Benchmark name: proxy, bridge, registry, simulator, suite, memory. */
  readonly bench: string;
  /** What was measured, e.g. "GET /_ping c=16 via berth serve (sim)". */
  readonly name: string;
  /** null when the figure was skipped. */
  readonly value: number | null;
  /** "req/s", "ms", "MiB/s", "ops/s", "s", "MiB". */
  readonly unit: string;
  /** Whether a bigger value is better. */
  readonly better: 'higher' | 'lower';
  /** The baseline measured in the same run, when the figure has one. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline.value. */
  readonly ratio?: number;
  /** A target from the issue, e.g. ">= 0.8x" or "< 0.2 ms", and whether this run met it. */
  readonly target?: { readonly text: string; readonly met: boolean };
  /** Why a figure could not be measured (it is then absent from the numbers). */
  readonly skipped?: string;
  /** Every sample when `value` is their median (repeated measurements of a noisy figure). */
  readonly samples?: readonly number[];
}

/** The file `npm run bench` writes. */
export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly host: { readonly node: string; readonly cpus: number; readonly platform: string };
  readonly selected: readonly string[];
  readonly figures: readonly BenchFigure[];
}

export function buildFigure(
  bench: string,
  name: string,
  value: number,
  unit: string,
  options: {
    better?: 'higher' | 'lower';
    baseline?: { name: string; value: number };
    target?: { text: string; met: boolean };
    samples?: readonly number[];
  } = {},
): BenchFigure {
  const baseline = options.baseline;
  return {
    bench,
    name,
    value,
    unit,
    better: options.better ?? 'higher',
    ...(baseline === undefined
      ? {}
      : { baseline, ratio: baseline.value === 0 ? Number.POSITIVE_INFINITY : value / baseline.value }),
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.samples === undefined ? {} : { samples: options.samples }),
  };
}

/**
 * Measures every route that has an address `rounds` times, the routes taking turns (in reverse
 * order every other round) so that drift in the machine's load falls on all of them alike; a
 * route without an address gets no samples.
 */
export async function takeTurns<K extends string, T>(
  routes: Readonly<Record<K, string | undefined>>,
  rounds: number,
  measure: (address: string) => Promise<T>,
): Promise<Record<K, T[]>> {
  const names = Object.keys(routes) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<K, T[]>;
  for (let round = 0; round < rounds; round += 1) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const address = routes[name];
      if (address !== undefined) samples[name].push(await measure(address));
    }
  }
  return samples;
}

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function skippedFigure(bench: string, name: string, reason: string): BenchFigure {
  return { bench, name, value: null, unit: '', better: 'higher', skipped: reason };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** One console line per figure: name, value, baseline, ratio, target. */
export function formatFigure(figure: BenchFigure): string {
  if (figure.skipped !== undefined) return `${figure.bench}: ${figure.name}: skipped (${figure.skipped})`;
  let line = `${figure.bench}: ${figure.name}: ${formatNumber(figure.value ?? Number.NaN)} ${figure.unit}`;
  if (figure.baseline !== undefined && figure.ratio !== undefined) {
    line += ` vs ${figure.baseline.name} ${formatNumber(figure.baseline.value)} ${figure.unit}: ${figure.ratio.toFixed(2)}x`;
  }
  if (figure.samples !== undefined && figure.samples.length > 1) {
    const low = Math.min(...figure.samples);
    const high = Math.max(...figure.samples);
    line += ` [median of ${figure.samples.length}, ${formatNumber(low)}-${formatNumber(high)}]`;
  }
  if (figure.target !== undefined) {
    line += ` (target ${figure.target.text}: ${figure.target.met ? 'met' : 'NOT met'})`;
  }
  return line;
}

/** Checks that a value is a BenchReport (used by the smoke test and before writing). */
export function isBenchReport(value: unknown): value is BenchReport {
  if (typeof value !== 'object' || value === null) return false;
  const report = value as Partial<BenchReport>;
  return (
    report.version === 1 &&
    typeof report.startedAt === 'string' &&
    typeof report.durationSeconds === 'number' &&
    Array.isArray(report.selected) &&
    Array.isArray(report.figures) &&
    report.figures.every(
      (figure: Partial<BenchFigure>) =>
        typeof figure.bench === 'string' &&
        typeof figure.name === 'string' &&
        (typeof figure.value === 'number' || (figure.value === null && typeof figure.skipped === 'string')) &&
        typeof figure.unit === 'string' &&
        (figure.ratio === undefined || typeof figure.ratio === 'number'),
    )
  );
}
