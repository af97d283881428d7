import { UsageError } from './cli-errors.js';
import type { RunCliOptions } from './run-options.js';

// Placeholder: `berth run` is being built (issue 6).
export function runSuite(_options: RunCliOptions): Promise<number> {
  return Promise.reject(new UsageError('berth run is not built yet'));
}
