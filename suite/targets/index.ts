import { redact } from '../../reports/model/redact.js';
import type { ProbeRecord } from '../../reports/model/run-environment.js';
import {
  InvalidTargetOptionError,
  TARGET_OPTION_KINDS,
  TARGET_OPTION_NAMES,
  type TargetOptionName,
  type TargetOptions,
} from '../../reports/model/target-options.js';
import { UnknownTargetError } from '../support/suite-errors.js';
import { dockerTarget } from './docker-target.js';
import { driverCommandTarget } from './driver-command-target.js';
import { proxyCommandTarget } from './proxy-command-target.js';
import { referenceTarget } from './reference-target.js';
import type { TargetDefinition } from './target-definition.js';
import type { Target } from './target.js';

/**
 * Every target the suite can run against (ARCHITECTURE.md, "Targets"), in `--help` order. Each
 * definition lives in its own file; everything that lists, checks or describes targets takes a
 * registry like this one as a parameter, defaulting to it.
 */
export const TARGETS = {
  reference: referenceTarget,
  docker: dockerTarget,
  'proxy-command': proxyCommandTarget,
  'driver-command': driverCommandTarget,
} as const satisfies Record<string, TargetDefinition>;

export type TargetName = keyof typeof TARGETS;
export type TargetRegistry = Readonly<Record<string, TargetDefinition>>;

export const TARGET_NAMES = Object.keys(TARGETS) as readonly TargetName[];

/** The definition of `name`; an UnknownTargetError naming the known ones otherwise. */
export function findTargetDefinition(name: string, targets: TargetRegistry = TARGETS): TargetDefinition {
  const definition = Object.hasOwn(targets, name) ? targets[name] : undefined;
  if (definition === undefined) throw new UnknownTargetError(name, Object.keys(targets));
  return definition;
}

/** The targets that take `option`, for usage errors and `--help`. */
export function targetsTaking(option: TargetOptionName, targets: TargetRegistry = TARGETS): string[] {
  return Object.values(targets)
    .filter((definition) => definition.options[option] !== undefined)
    .map((definition) => definition.name);
}

/**
 * The options `definition` runs with: those it takes from `given` (the flags, or the BERTH_*
 * variables), else from its fallback variable (DOCKER_HOST), else its default. A required option
 * left missing stays missing: planRun reports it, and the target's probe refuses to start.
 */
export function resolveTargetOptions(
  definition: TargetDefinition,
  given: TargetOptions,
  env: NodeJS.ProcessEnv = process.env,
): TargetOptions {
  const resolved: Partial<Record<TargetOptionName, unknown>> = {};
  for (const name of TARGET_OPTION_NAMES) {
    const use = definition.options[name];
    if (use === undefined) continue;
    const fallback = use.fallbackEnv === undefined ? undefined : env[use.fallbackEnv]?.trim() || undefined;
    const value =
      given[name] ??
      (fallback === undefined ? undefined : TARGET_OPTION_KINDS[name].parse(fallback, use.fallbackEnv!)) ??
      (use.default === undefined ? undefined : TARGET_OPTION_KINDS[name].parse(String(use.default), name));
    if (value !== undefined) resolved[name] = value;
  }
  return resolved as TargetOptions;
}

/** The options as results.json shows them: as the definition says, credentials redacted. */
export function shownTargetOptions(
  definition: TargetDefinition,
  options: TargetOptions,
): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const name of TARGET_OPTION_NAMES) {
    const use = definition.options[name];
    const value = options[name];
    if (use === undefined || value === undefined || use.shown === 'hidden') continue;
    shown[name] = use.shown === 'redacted' ? redact(String(value)) : String(value);
  }
  return shown;
}

/** Builds the target `name` for this worker. */
export async function createTarget(
  name: string,
  options: TargetOptions,
  targets: TargetRegistry = TARGETS,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Target> {
  const definition = findTargetDefinition(name, targets);
  return definition.create(resolveTargetOptions(definition, options, env));
}

/**
 * Checks, once before the run, that the target is reachable, and records what it is and the
 * options it runs with (as results.json shows them). Throws a BerthError with one clear line when
 * it is not reachable (no daemon, a command that does not start).
 */
export async function probeTarget(
  name: string,
  options: TargetOptions,
  targets: TargetRegistry = TARGETS,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Required<ProbeRecord>> {
  const definition = findTargetDefinition(name, targets);
  const resolved = resolveTargetOptions(definition, options, env);
  const probe = await definition.probe(resolved);
  return { ...probe, options: shownTargetOptions(definition, resolved) };
}

export { InvalidTargetOptionError };
export type { TargetDefinition, TargetOptionUse } from './target-definition.js';
export type { Target, TargetOptions, TargetProbe } from './target.js';
