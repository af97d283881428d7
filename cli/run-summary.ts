import { isAbsolute, join, relative } from 'node:path';
import { readResultsFile, renderReports } from '../reports/render/index.js';
import type { ResultsFile } from '../reports/model/results.js';
import { closeTally, closingLine, emptyTally } from '../reports/model/tally.js';
import { groupByComponent, isFailingResult, tallyClauses, tallyResults } from '../reports/model/roll-up.js';
import type { VerdictKind } from '../reports/model/verdict.js';

/** How the summary names a verdict (`known-failure` reads as `known failure`). */
/** The order the summary lists verdicts in. */
const SUMMARY_ORDER: readonly VerdictKind[] = ['pass', 'fail', 'known-failure', 'error', 'skip', 'disabled'];

function verdictLabel(kind: VerdictKind): string {
  return kind.replace('-', ' ');
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
  write('clauses by component:');
  for (const [component, clauses] of groupByComponent(results.clauses)) {
    const counts = tallyClauses(clauses);
    const parts = SUMMARY_ORDER.filter((kind) => counts[kind] > 0).map(
      (kind) => `${counts[kind]} ${verdictLabel(kind)}`,
    );
    write(`  ${component.padEnd(14)} ${parts.join(', ')}`);
  }
  const failing = results.clauses.filter(isFailingResult);
  if (failing.length > 0) {
    write('');
    write(`failing clauses (${failing.length}):`);
    for (const clause of failing) {
      const test = clause.tests.find(isFailingResult);
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
  write(closingLine(tallyResults(results)));
  return results.outcome === 'fail' || results.outcome === 'error' ? 1 : 0;
}
