import { isAbsolute, join, relative } from 'node:path';
import { readResultsFile, renderReports } from '../reports/render/index.js';
import type { ResultsFile } from '../reports/model/results.js';
import { isFailing } from '../reports/model/outcome.js';
import {
  closeTally,
  closingLine,
  countOutcome,
  emptyTally,
  type ClosedTally,
} from '../reports/model/tally.js';

/** Test counts of a results file, as the closing line states them. */
export function countResults(results: ResultsFile): ClosedTally {
  const tally = emptyTally();
  for (const clause of results.clauses) {
    for (const test of clause.tests) countOutcome(tally, test.outcome, test.expected);
  }
  tally.failed += results.orphans.length;
  return closeTally(tally);
}

/** A path relative to the working directory when it is inside it, absolute otherwise. */
function shortPath(path: string): string {
  const near = relative(process.cwd(), path);
  return near.startsWith('..') || isAbsolute(near) ? path : near;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? '';
}

/**
 * After the run: render every report from results.json, print what failed and where the reports
 * are, and end with the plain closing line. Returns the exit code: 0 only when nothing failed or
 * errored (known failures of the ledger do not count).
 */
export async function summarizeRun(outDir: string, out: NodeJS.WritableStream): Promise<number> {
  const resultsPath = join(outDir, 'results.json');
  let results: ResultsFile;
  try {
    results = readResultsFile(resultsPath);
  } catch (error) {
    out.write(`berth: the run wrote no usable ${resultsPath}: ${(error as Error).message}\n`);
    out.write(`${closingLine(closeTally(emptyTally()))}\n`);
    return 1;
  }
  const rendered = await renderReports(results, outDir);
  const write = (line: string): boolean => out.write(`${line}\n`);

  write('');
  const byComponent = new Map<string, Map<string, number>>();
  for (const clause of results.clauses) {
    const counts = byComponent.get(clause.component) ?? new Map<string, number>();
    byComponent.set(clause.component, counts);
    const key = clause.expected ? 'known failure' : clause.outcome;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  write('clauses by component:');
  for (const [component, counts] of byComponent) {
    const parts = ['pass', 'fail', 'known failure', 'error', 'skip', 'disabled']
      .filter((key) => (counts.get(key) ?? 0) > 0)
      .map((key) => `${counts.get(key)} ${key}`);
    write(`  ${component.padEnd(14)} ${parts.join(', ')}`);
  }
  const failing = results.clauses.filter((clause) => isFailing(clause.outcome, clause.expected));
  if (failing.length > 0) {
    write('');
    write(`failing clauses (${failing.length}):`);
    for (const clause of failing) {
      const test = clause.tests.find((candidate) => isFailing(candidate.outcome, candidate.expected));
      write(`  ${clause.id} ${clause.level} ${clause.outcome}: ${clause.text}`);
      if (test?.failure !== undefined)
        write(`      ${test.failure.name}: ${firstLine(test.failure.message)}`);
    }
  }
  for (const orphan of results.orphans) {
    write(
      `  error outside any clause: ${orphan.title}: ${firstLine(orphan.failure?.message ?? orphan.reason ?? '')}`,
    );
  }
  if (results.knownFailures > 0) {
    write(
      `known failures (expectations ledger): ${results.knownFailures} clause(s), not counted against the run`,
    );
  }
  write('');
  write(`outcome: ${results.outcome}`);
  write(`reports: ${rendered.paths.map(shortPath).join(', ')}`);
  write(`seed: ${results.seed} (replay with --seed ${results.seed})`);
  write(closingLine(countResults(results)));
  return results.outcome === 'fail' || results.outcome === 'error' ? 1 : 0;
}
