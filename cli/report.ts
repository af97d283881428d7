import { UsageError } from './cli-errors.js';
import type { ReportCliOptions } from './run-options.js';

// Placeholder: `berth report` is being built (issue 6).
export function runReport(_resultsPath: string, _options: ReportCliOptions): Promise<number> {
  return Promise.reject(new UsageError('berth report is not built yet'));
}
