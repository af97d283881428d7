import { TargetNotBuiltError } from '../support/suite-errors.js';
import type { Target, TargetOptions, TargetProbe } from './target.js';

// Placeholder while the docker target is being built (issue 6).
export function createDockerTarget(_options: TargetOptions): Target {
  throw new TargetNotBuiltError('docker');
}

export function probeDockerTarget(_options: TargetOptions): Promise<TargetProbe> {
  return Promise.reject(new TargetNotBuiltError('docker'));
}
