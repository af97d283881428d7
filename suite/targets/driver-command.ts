import { TargetNotBuiltError } from '../support/suite-errors.js';
import type { Target, TargetOptions, TargetProbe } from './target.js';

// Placeholder while the driver-command target is being built (issue 6).
export function createDriverCommandTarget(_options: TargetOptions): Target {
  throw new TargetNotBuiltError('driver-command');
}

export function probeDriverCommandTarget(_options: TargetOptions): Promise<TargetProbe> {
  return Promise.reject(new TargetNotBuiltError('driver-command'));
}
