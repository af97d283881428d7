import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AREAS, areaOfPrefix, findArea, type Area } from '../suite/clauses/areas.js';
import { isWellFormedClauseId } from '../suite/clauses/catalogue.js';
import { findClause } from '../suite/clauses/index.js';
import { parseExpectationsFile } from '../suite/expectations/index.js';
import { applyRunEnvironment, type Profile, type RunEnvironment } from '../reports/model/run-environment.js';
import {
  TARGET_OPTION_KINDS,
  TARGET_OPTION_NAMES,
  type TargetOptionName,
  type TargetOptions,
} from '../reports/model/target-options.js';
import {
  findTargetDefinition,
  probeTarget,
  resolveTargetOptions,
  TARGETS,
  targetsTaking,
  type TargetDefinition,
  type TargetRegistry,
} from '../suite/targets/index.js';
import { UsageError } from './cli-errors.js';
import type { RunCliOptions } from './run-options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What `berth run` resolved from its flags before starting anything. */
export interface RunPlan {
  readonly target: string;
  readonly targetOptions: TargetOptions;
  /** Spec folders to run (relative to the project root), all when empty. */
  readonly folders: readonly string[];
  readonly areas: readonly string[];
  readonly clauses: readonly string[];
  readonly outDir: string;
  readonly expectFile?: string;
  readonly seed?: number;
  readonly profile: Profile;
}

/** The one-line usage error of a target option's bad value, from its parser's message. */
function parseOption(name: TargetOptionName, value: string | number, source: string): unknown {
  try {
    return TARGET_OPTION_KINDS[name].parse(String(value), source);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * The target's options from its flags, each checked against its definition: a flag the target
 * does not take, a required one missing or a malformed value is one usage line.
 */
function planTargetOptions(
  options: RunCliOptions,
  definition: TargetDefinition,
  targets: TargetRegistry,
  env: NodeJS.ProcessEnv,
): TargetOptions {
  const given: Partial<Record<TargetOptionName, unknown>> = {};
  for (const name of TARGET_OPTION_NAMES) {
    const value = options[name];
    if (value === undefined) continue;
    const { flag } = TARGET_OPTION_KINDS[name];
    if (definition.options[name] === undefined) {
      throw new UsageError(`${flag} is only used with --target ${targetsTaking(name, targets).join(' or ')}`);
    }
    given[name] = parseOption(name, value, flag);
  }
  let resolved: TargetOptions;
  try {
    resolved = resolveTargetOptions(definition, given as TargetOptions, env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  for (const name of TARGET_OPTION_NAMES) {
    const required = definition.options[name]?.required;
    if (required !== undefined && resolved[name] === undefined) {
      throw new UsageError(`--target ${definition.name} needs ${required}`);
    }
  }
  return resolved;
}

/**
 * Checks every flag against the catalogue, the target registry and the file system, and turns
 * them into a plan. Every problem is a UsageError with one line that names the bad value.
 */
export function planRun(
  options: RunCliOptions,
  env: NodeJS.ProcessEnv = process.env,
  targets: TargetRegistry = TARGETS,
): RunPlan {
  let definition: TargetDefinition;
  try {
    definition = findTargetDefinition(options.target, targets);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { target } = options;
  const targetOptions = planTargetOptions(options, definition, targets, env);

  const areas: Area[] = [];
  for (const name of options.area ?? []) {
    const found = findArea(name);
    if (found === undefined) {
      throw new UsageError(`unknown area '${name}' (areas: ${AREAS.map((a) => a.folder).join(', ')})`);
    }
    if (!areas.includes(found)) areas.push(found);
  }
  const clauses: string[] = [];
  const clauseAreas: Area[] = [];
  for (const raw of options.clause ?? []) {
    const id = raw.toUpperCase();
    if (!isWellFormedClauseId(id))
      throw new UsageError(`'${raw}' is not a clause id (expected PREFIX-N, e.g. HND-7)`);
    const clause = findClause(id);
    if (clause === undefined) throw new UsageError(`clause ${id} is not in the catalogue (see berth list)`);
    if (clause.pending !== undefined) throw new UsageError(`clause ${id} has no test yet: ${clause.pending}`);
    if (clause.retired !== undefined) throw new UsageError(`clause ${id} is retired: ${clause.retired}`);
    const area = areaOfPrefix(id.slice(0, id.indexOf('-')));
    if (area === undefined) throw new UsageError(`clause ${id} belongs to no area of this suite`);
    if (areas.length > 0 && !areas.includes(area)) {
      throw new UsageError(`clause ${id} is in area ${area.folder}, which --area leaves out`);
    }
    if (!clauses.includes(id)) clauses.push(id);
    if (!clauseAreas.includes(area)) clauseAreas.push(area);
  }
  const selectedAreas = clauseAreas.length > 0 ? clauseAreas : areas;
  const folders = selectedAreas
    .map((area) => `suite/${area.folder}/`)
    .filter((folder) => existsSync(join(ROOT, folder)));
  if (selectedAreas.length > 0 && folders.length === 0) {
    throw new UsageError(`area ${selectedAreas.map((a) => a.folder).join(', ')} has no specs yet`);
  }

  let expectFile: string | undefined;
  if (options.expect !== undefined) {
    expectFile = resolve(options.expect);
    let text: string;
    try {
      text = readFileSync(expectFile, 'utf8');
    } catch (error) {
      throw new UsageError(`--expect: cannot read ${options.expect}: ${(error as Error).message}`);
    }
    try {
      parseExpectationsFile(text, options.expect);
    } catch (error) {
      throw new UsageError(`--expect: ${(error as Error).message}`);
    }
  }

  const outDir = resolve(options.out);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new UsageError(`--out: cannot create ${options.out}: ${(error as Error).message}`);
  }

  return {
    target,
    targetOptions,
    folders,
    areas: areas.map((area) => area.folder),
    clauses,
    outDir,
    ...(expectFile === undefined ? {} : { expectFile }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    profile: options.profile,
  };
}

/** The run as the test workers and reporters read it (they inherit it when vitest forks them). */
export function runEnvironmentOf(plan: RunPlan): RunEnvironment {
  return {
    target: plan.target,
    targetOptions: plan.targetOptions,
    profile: plan.profile,
    areas: plan.areas,
    clauses: plan.clauses,
    ...(plan.expectFile === undefined ? {} : { expectFile: plan.expectFile }),
    resultsDir: plan.outDir,
    ...(plan.seed === undefined ? {} : { seed: plan.seed }),
    // The developers' real-daemon tier is not part of any target: the docker target names its daemon.
    realDaemonTier: 'off',
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `berth run`: probe the target, run the selected clauses, write results.json and every report. */
export async function runSuite(options: RunCliOptions, targets: TargetRegistry = TARGETS): Promise<number> {
  const plan = planRun(options, process.env, targets);
  const run = runEnvironmentOf(plan);
  // Replaces every run variable, so a probe left by an enclosing run cannot stand in for this one.
  applyRunEnvironment(run);

  const out = process.stdout;
  const live = options.progress && out.isTTY && !process.env.CI;
  let probe;
  try {
    probe = await probeTarget(plan.target, plan.targetOptions, targets);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    console.error(`berth: cannot run against --target ${plan.target}: ${(error as Error).message}`);
    if (typeof code === 'string' && code !== 'ERR_SUITE_TARGET_UNAVAILABLE')
      console.error(`berth: (${code})`);
    return 1;
  }
  applyRunEnvironment({ ...run, targetProbe: probe });
  out.write(`berth run: target ${plan.target}: ${probe.description}\n`);
  out.write(
    `profile ${plan.profile}${plan.areas.length > 0 ? `, areas ${plan.areas.join(', ')}` : ''}${plan.clauses.length > 0 ? `, clauses ${plan.clauses.join(', ')}` : ''}${plan.expectFile ? `, expectations ${relative(process.cwd(), plan.expectFile)}` : ''}\n`,
  );

  const [{ startVitest }, { default: ResultsReporter }, { ProgressReporter }, { summarizeRun }] =
    await Promise.all([
      import('vitest/node'),
      import('../reports/results-reporter.js'),
      import('../reports/progress-reporter.js'),
      import('./run-summary.js'),
    ]);
  const testNamePattern =
    plan.clauses.length > 0 ? new RegExp(`\\[(${plan.clauses.map(escapeRegExp).join('|')})\\] `) : undefined;
  const vitest = await startVitest(
    'test',
    plan.folders.map((folder) => join(ROOT, folder)),
    {
      root: ROOT,
      config: join(ROOT, 'vitest.config.ts'),
      project: 'conformance',
      watch: false,
      run: true,
      reporters: [new ResultsReporter(), new ProgressReporter({ live, stream: out, clauses: plan.clauses })],
      ...(testNamePattern === undefined ? {} : { testNamePattern }),
    },
  );
  await vitest.close();
  return summarizeRun(plan.outDir, out);
}
