import { createDockerTarget, probeDockerTarget } from './docker.js';
import { createDriverCommandTarget, probeDriverCommandTarget } from './driver-command.js';
import { createProxyCommandTarget, probeProxyCommandTarget } from './proxy-command.js';
import { createReferenceTarget } from './reference.js';
import type { Target, TargetOptions, TargetProbe } from './target.js';

/** Targets the suite can run against (ARCHITECTURE.md, "Targets"). */
export const TARGET_NAMES = ['reference', 'docker', 'proxy-command', 'driver-command'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

const DEFAULT_READY_TIMEOUT_MS = 15_000;

/** A target's options as `berth run` passes them to the test workers (environment variables). */
export function targetOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TargetOptions {
  const dockerHost = env.BERTH_DOCKER_HOST?.trim() || env.DOCKER_HOST?.trim() || undefined;
  const command = env.BERTH_COMMAND?.trim() || undefined;
  const ready = Number(env.BERTH_COMMAND_READY_MS);
  return {
    ...(dockerHost === undefined ? {} : { dockerHost }),
    ...(command === undefined ? {} : { command }),
    readyTimeoutMs: Number.isInteger(ready) && ready > 0 ? ready : DEFAULT_READY_TIMEOUT_MS,
  };
}

export function createTarget(name: string, options: TargetOptions = targetOptionsFromEnv()): Target {
  switch (name) {
    case 'reference':
      return createReferenceTarget();
    case 'docker':
      return createDockerTarget(options);
    case 'proxy-command':
      return createProxyCommandTarget(options);
    case 'driver-command':
      return createDriverCommandTarget(options);
    default:
      throw new Error(`unknown target '${name}' (known: ${TARGET_NAMES.join(', ')})`);
  }
}

/**
 * Checks, once before the run, that the target is reachable and records what it is. Throws a
 * BerthError with one clear line when it is not (no daemon, a command that does not start).
 */
export async function probeTarget(
  name: string,
  options: TargetOptions = targetOptionsFromEnv(),
): Promise<TargetProbe> {
  switch (name) {
    case 'reference':
      return { description: createReferenceTarget().description, facts: {} };
    case 'docker':
      return probeDockerTarget(options);
    case 'proxy-command':
      return probeProxyCommandTarget(options);
    case 'driver-command':
      return probeDriverCommandTarget(options);
    default:
      throw new Error(`unknown target '${name}' (known: ${TARGET_NAMES.join(', ')})`);
  }
}

export type { Target, TargetOptions, TargetProbe } from './target.js';
