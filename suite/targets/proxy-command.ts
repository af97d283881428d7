import { TargetNotBuiltError } from '../support/suite-errors.js';
import type { Target, TargetOptions, TargetProbe } from './target.js';

// Placeholder while the proxy-command target is being built (issue 6).
export function createProxyCommandTarget(_options: TargetOptions): Target {
  throw new TargetNotBuiltError('proxy-command');
}

export function probeProxyCommandTarget(_options: TargetOptions): Promise<TargetProbe> {
  return Promise.reject(new TargetNotBuiltError('proxy-command'));
}
