import { UsageError } from './cli-errors.js';

// Placeholder: the reference drivers are being built (issue 6).
export function runDriver(kind: 'registry' | 'dispatch'): Promise<number> {
  return Promise.reject(new UsageError(`the ${kind} driver is not built yet`));
}
