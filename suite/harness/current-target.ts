import { BerthError } from '../../protocol/errors.js';
import { readRunEnvironment, type RunEnvironment } from '../../reports/model/run-environment.js';
import {
  createTarget,
  findTargetDefinition,
  TARGETS,
  type TargetDefinition,
  type TargetRegistry,
} from '../targets/index.js';
import type { Target } from '../targets/target.js';

/** getTarget() was called before the worker prepared its target (a setup file does that). */
export class TargetNotPreparedError extends BerthError {
  readonly code = 'ERR_SUITE_TARGET_NOT_PREPARED';
  constructor() {
    super('the run target is not prepared: conformance specs get it from suite/harness/setup-conformance.ts');
  }
}

interface Prepared {
  readonly definition: TargetDefinition;
  readonly target: Target;
}

let current: Prepared | undefined;

/** The definition of the target this run checks: the prepared one, else BERTH_TARGET's. */
export function currentTargetDefinition(env: NodeJS.ProcessEnv = process.env): TargetDefinition {
  return current?.definition ?? findTargetDefinition(readRunEnvironment(env).target);
}

/** Name of the target this run checks: BERTH_TARGET, else the embedded reference. */
export function currentTargetName(env: NodeJS.ProcessEnv = process.env): string {
  return currentTargetDefinition(env).name;
}

/**
 * Creates the run's target in this worker (its resources start lazily, on first use): the
 * conformance setup file does it before a spec file is collected, so specs read it synchronously.
 */
export async function prepareTarget(
  run: RunEnvironment = readRunEnvironment(),
  targets: TargetRegistry = TARGETS,
): Promise<Target> {
  if (current !== undefined) return current.target;
  const definition = findTargetDefinition(run.target, targets);
  const target = await createTarget(run.target, run.targetOptions, targets);
  current = { definition, target };
  return target;
}

/** The run's target, as prepareTarget created it in this worker. */
export function getTarget(): Target {
  if (current === undefined) throw new TargetNotPreparedError();
  return current.target;
}

/** Releases the target of this worker, if one was created. */
export async function disposeTarget(): Promise<void> {
  const prepared = current;
  current = undefined;
  await prepared?.target[Symbol.asyncDispose]();
}
