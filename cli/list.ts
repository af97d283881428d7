import { UsageError } from './cli-errors.js';
import type { ListCliOptions } from './run-options.js';

// Placeholder: `berth list` is being built (issue 6).
export function runList(_options: ListCliOptions): Promise<number> {
  return Promise.reject(new UsageError('berth list is not built yet'));
}
