import { dirname } from 'node:path';
import { readResultsFile, renderReports } from '../reports/render/index.js';
import { UsageError } from './cli-errors.js';
import type { ReportCliOptions } from './run-options.js';

/**
 * `berth report <results.json> [--out dir]`: renders every report from a saved results file
 * without re-running, prints the written paths one per line and returns the exit code. A bad
 * results file throws InvalidResultsFileError (main prints it as one `berth: ...` line).
 */
export async function runReport(resultsPath: string, options: ReportCliOptions): Promise<number> {
  if (resultsPath.trim() === '') throw new UsageError('expected the path of a results.json');
  if (options.out !== undefined && options.out.trim() === '') throw new UsageError('--out needs a folder');
  const results = readResultsFile(resultsPath);
  const written = await renderReports(results, options.out ?? dirname(resultsPath));
  for (const path of written.paths) console.log(path);
  return 0;
}
