// Registry prefix-lookup benchmark: the reference registry against a linear scan (the upstream
// algorithm) in the same run, at 10k and 100k workloads. Prints ops/s and ratios; asserts nothing.
//   node --import tsx bench/registry-prefix.ts [workloads...]
import { randomBytes } from 'node:crypto';
import type { Role } from '../protocol/connector.js';
import type { WorkloadLookup } from '../protocol/workload-registry.js';
import { createWorkloadRegistry } from '../reference/registry/index.js';
import { buildFigure, formatFigure, type BenchFigure } from './bench-figure.js';
import { isMain } from './is-main.js';

const ROLES: readonly Role[] = ['native', 'amd64'];
const QUERIES = 4096;
const DEFAULT_BUDGET_MS = 1500;

/** The baseline: one map, and a prefix lookup that walks every key (upstream REG-10). */
class LinearScanRegistry {
  readonly #roles = new Map<string, Role>();
  record(id: string, role: Role): void {
    this.#roles.set(id, role);
  }
  lookup(id: string): WorkloadLookup {
    const exact = this.#roles.get(id);
    if (exact !== undefined) return { kind: 'found', role: exact };
    if (!/^[0-9a-fA-F]{4,63}$/.test(id)) return { kind: 'missing' };
    const roles = new Set<Role>();
    for (const [key, role] of this.#roles) {
      if (key.length === 64 && /^[0-9a-fA-F]+$/.test(key) && key.startsWith(id)) roles.add(role);
    }
    const sorted = [...roles].sort();
    if (sorted.length === 0) return { kind: 'missing' };
    if (sorted.length === 1) return { kind: 'found', role: sorted[0]! };
    return { kind: 'ambiguous', roles: sorted };
  }
}

interface Lookuper {
  lookup(id: string): WorkloadLookup;
}

/** Runs lookups over `queries` round-robin for about `budgetMs`; returns ops/s. */
function measure(registry: Lookuper, queries: readonly string[], budgetMs: number): number {
  let sink = 0;
  for (const query of queries.slice(0, 64)) sink += registry.lookup(query).kind.length; // warm-up
  let operations = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < budgetMs) {
    for (let n = 0; n < 16; n += 1) {
      sink += registry.lookup(queries[operations % queries.length]!).kind.length;
      operations += 1;
    }
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  if (sink === 0) throw new Error('lookups produced nothing');
  return (operations / elapsedMs) * 1000;
}

function timeMs(action: () => void): number {
  const start = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Exact and 8-char prefix lookups, indexed vs linear scan, at each workload count. */
export function runRegistryPrefix(
  options: { readonly workloads?: readonly number[]; readonly budgetMs?: number } = {},
  report: (figure: BenchFigure) => void = () => undefined,
): BenchFigure[] {
  const figures: BenchFigure[] = [];
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  for (const workloads of options.workloads ?? [10_000, 100_000]) {
    const ids = Array.from({ length: workloads }, () => randomBytes(32).toString('hex'));
    const indexed = createWorkloadRegistry();
    const linear = new LinearScanRegistry();
    const buildIndexed = timeMs(() => ids.forEach((id, n) => indexed.record(id, ROLES[n % ROLES.length]!)));
    const buildLinear = timeMs(() => ids.forEach((id, n) => linear.record(id, ROLES[n % ROLES.length]!)));
    const sample = Array.from({ length: QUERIES }, (_, n) => ids[(n * 7919) % ids.length]!);
    const prefixes = sample.map((id) => id.slice(0, 8));
    // Both must give the same answers before their speed means anything.
    for (const query of [...sample.slice(0, 200), ...prefixes.slice(0, 200)]) {
      const a = JSON.stringify(indexed.lookup(query));
      const b = JSON.stringify(linear.lookup(query));
      if (a !== b) throw new Error(`answers differ for ${query}: ${a} vs ${b}`);
    }
    const count = workloads.toLocaleString('en-US');
    const rows = [
      ['exact lookup', sample],
      ['8-char prefix lookup', prefixes],
    ] as const;
    const found = [
      buildFigure('registry', `build ${count} workloads`, buildIndexed, 'ms', {
        better: 'lower',
        baseline: { name: 'linear map', value: buildLinear },
      }),
      ...rows.map(([name, queries]) =>
        buildFigure(
          'registry',
          `${name} at ${count} workloads`,
          measure(indexed, queries, budgetMs),
          'ops/s',
          {
            baseline: { name: 'linear scan', value: measure(linear, queries, budgetMs) },
          },
        ),
      ),
    ];
    for (const figure of found) {
      figures.push(figure);
      report(figure);
    }
  }
  return figures;
}

if (isMain(import.meta.url)) {
  const counts = process.argv.slice(2).map(Number);
  runRegistryPrefix(counts.length > 0 ? { workloads: counts } : {}, (figure) =>
    console.log(formatFigure(figure)),
  );
}
