import { createTarget, TARGET_NAMES } from '../targets/index.js';
import type { Target } from '../targets/target.js';
import { UnknownTargetError } from '../support/suite-errors.js';

/** Name of the target this run checks: BERTH_TARGET, else the embedded reference. */
export function currentTargetName(env: NodeJS.ProcessEnv = process.env): string {
  const name = env.BERTH_TARGET?.trim() || 'reference';
  if (!(TARGET_NAMES as readonly string[]).includes(name)) throw new UnknownTargetError(name, TARGET_NAMES);
  return name;
}

let current: Target | undefined;

/** The run's target, created on first use in this worker (targets start their resources lazily). */
export function getTarget(): Target {
  current ??= createTarget(currentTargetName());
  return current;
}

/** Releases the target of this worker, if one was created. */
export async function disposeTarget(): Promise<void> {
  const target = current;
  current = undefined;
  await target?.[Symbol.asyncDispose]();
}
