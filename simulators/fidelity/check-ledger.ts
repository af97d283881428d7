import type { Mismatch } from './compare-records.js';
import type { FidelityReport } from './run-fidelity.js';

/**
 * An accepted difference between the reference daemon and the one under test. `step` is
 * `scenario / step` and `path` a field path as printed in the report; both may use `*` (any
 * characters). `reason` says why the difference can only differ or is accepted on purpose.
 */
export interface KnownDifference {
  readonly step: string;
  readonly path: string;
  readonly reason: string;
}

export interface LocatedMismatch extends Mismatch {
  /** `scenario / step`. */
  readonly step: string;
}

export interface LedgerCheck {
  /** Mismatches no ledger entry accepts. */
  readonly unexpected: readonly LocatedMismatch[];
  /** Mismatches a ledger entry accepts, with the entry. */
  readonly known: readonly (LocatedMismatch & { readonly reason: string })[];
  /** Ledger entries that match no mismatch any more: the ledger must not rot. */
  readonly stale: readonly KnownDifference[];
}

const globs = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let compiled = globs.get(pattern);
  if (!compiled) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    compiled = new RegExp(`^${source}$`);
    globs.set(pattern, compiled);
  }
  return compiled;
}

export function matchesKnownDifference(entry: KnownDifference, mismatch: LocatedMismatch): boolean {
  return glob(entry.step).test(mismatch.step) && glob(entry.path).test(mismatch.path);
}

/** Splits a report's mismatches into known and unexpected, and finds ledger entries no longer needed. */
export function checkLedger(report: FidelityReport, ledger: readonly KnownDifference[]): LedgerCheck {
  const used = new Set<KnownDifference>();
  const unexpected: LocatedMismatch[] = [];
  const known: (LocatedMismatch & { reason: string })[] = [];
  for (const step of report.steps) {
    for (const mismatch of step.mismatches) {
      const located = { ...mismatch, step: `${step.scenario} / ${step.step}` };
      const entry = ledger.find((candidate) => matchesKnownDifference(candidate, located));
      if (entry) {
        used.add(entry);
        known.push({ ...located, reason: entry.reason });
      } else unexpected.push(located);
    }
  }
  return { unexpected, known, stale: ledger.filter((entry) => !used.has(entry)) };
}
