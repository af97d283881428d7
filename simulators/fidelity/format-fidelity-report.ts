import type { LedgerCheck } from './check-ledger.js';
import type { FidelityReport } from './run-fidelity.js';

export interface FormatOptions {
  /** Names of the two sides in the listing; default `real` and `simulated`. */
  readonly names?: { readonly a: string; readonly b: string };
  /** With a ledger check, known differences are marked and stale entries listed. */
  readonly ledger?: LedgerCheck;
}

/**
 * `fidelity: N/M steps match`, then one line per mismatch:
 * `  scenario / step  path: real <value> vs simulated <value>` (known ones end with their reason).
 */
export function formatFidelityReport(report: FidelityReport, options: FormatOptions = {}): string {
  const names = options.names ?? { a: 'real', b: 'simulated' };
  const lines = [`fidelity: ${report.matched}/${report.total} steps match`];
  const reasons = new Map<string, string>();
  for (const known of options.ledger?.known ?? []) reasons.set(`${known.step}\0${known.path}`, known.reason);
  for (const step of report.steps) {
    for (const mismatch of step.mismatches) {
      const name = `${step.scenario} / ${step.step}`;
      const reason = reasons.get(`${name}\0${mismatch.path}`);
      lines.push(
        `  ${name}  ${mismatch.path}: ${names.a} ${mismatch.a} vs ${names.b} ${mismatch.b}${reason ? `  [known: ${reason}]` : ''}`,
      );
    }
  }
  if (options.ledger) {
    const { unexpected, known, stale } = options.ledger;
    lines.push(`ledger: ${known.length} known, ${unexpected.length} unexpected, ${stale.length} stale`);
    for (const entry of stale)
      lines.push(`  stale ledger entry: ${entry.step}  ${entry.path} (${entry.reason})`);
  }
  for (const failure of report.scenarioFailures)
    lines.push(
      `  scenario check: ${failure.scenario} / ${failure.step} expected ${failure.expected} from ${failure.side}, got ${failure.actual}`,
    );
  for (const side of ['a', 'b'] as const)
    for (const error of report.cleanupErrors[side]) lines.push(`  cleanup (${names[side]}): ${error}`);
  return lines.join('\n');
}
