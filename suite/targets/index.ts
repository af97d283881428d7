import { createReferenceTarget } from './reference.js';
import type { Target } from './target.js';

/** Targets the suite can run against; later issues add docker, proxy-command and driver-command. */
export const TARGET_NAMES = ['reference'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export function createTarget(name: string): Target {
  switch (name) {
    case 'reference':
      return createReferenceTarget();
    default:
      throw new Error(`unknown target '${name}' (known: ${TARGET_NAMES.join(', ')})`);
  }
}

export type { Target } from './target.js';
