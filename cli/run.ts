import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AREAS, areaOfPrefix, findArea, type Area } from '../suite/clauses/areas.js';
import { isClauseId } from '../suite/clauses/catalogue.js';
import { findClause } from '../suite/clauses/index.js';
import { parseExpectationsFile } from '../suite/expectations/index.js';
import { probeTarget } from '../suite/targets/index.js';
import type { TargetOptions } from '../suite/targets/target.js';
import { UsageError } from './cli-errors.js';
import type { RunCliOptions } from './run-options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What `berth run` resolved from its flags before starting anything. */
export interface RunPlan {
  readonly target: RunCliOptions['target'];
  readonly targetOptions: TargetOptions;
  /** Spec folders to run (relative to the project root), all when empty. */
  readonly folders: readonly string[];
  readonly areas: readonly string[];
  readonly clauses: readonly string[];
  readonly outDir: string;
  readonly expectFile?: string;
  readonly seed?: number;
  readonly profile: RunCliOptions['profile'];
}

function checkDockerHost(value: string, flag: string): string {
  if (/^unix:\/\/\/./.test(value)) return value;
  if (/^tcp:\/\/[^/:]+:\d{1,5}\/?$/.test(value)) return value;
  throw new UsageError(`${flag} must be unix:///path/to/docker.sock or tcp://host:port, got '${value}'`);
}

/**
 * Checks every flag against the catalogue, the targets and the file system, and turns them into a
 * plan. Every problem is a UsageError with one line that names the bad value.
 */
export function planRun(options: RunCliOptions, env: NodeJS.ProcessEnv = process.env): RunPlan {
  const { target } = options;
  const commandTarget = target === 'proxy-command' || target === 'driver-command';
  if (options.command !== undefined && !commandTarget) {
    throw new UsageError(`--command is only used with --target proxy-command or driver-command`);
  }
  if (options.dockerHost !== undefined && target !== 'docker') {
    throw new UsageError(`--docker-host is only used with --target docker`);
  }
  const targetOptions: { -readonly [K in keyof TargetOptions]: TargetOptions[K] } = {
    readyTimeoutMs: options.readyTimeoutMs,
  };
  if (target === 'docker') {
    const host = options.dockerHost ?? env.DOCKER_HOST?.trim();
    if (!host) {
      throw new UsageError('--target docker needs --docker-host unix:///path.sock (or DOCKER_HOST)');
    }
    targetOptions.dockerHost = checkDockerHost(host, options.dockerHost ? '--docker-host' : 'DOCKER_HOST');
  }
  if (commandTarget) {
    const command = options.command?.trim();
    if (!command) {
      const example =
        target === 'proxy-command'
          ? `'your-proxy --listen {listen} --guest native={guest.native} --guest amd64={guest.amd64}'`
          : `'npx berth driver registry'`;
      throw new UsageError(`--target ${target} needs --command, e.g. --command ${example}`);
    }
    targetOptions.command = command;
  }

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
    if (!isClauseId(id)) throw new UsageError(`'${raw}' is not a clause id (expected PREFIX-N, e.g. HND-7)`);
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

/** The environment the test workers read (they inherit it when vitest forks them). */
export function runEnvironment(plan: RunPlan): Record<string, string | undefined> {
  return {
    BERTH_TARGET: plan.target,
    BERTH_DOCKER_HOST: plan.targetOptions.dockerHost,
    BERTH_COMMAND: plan.targetOptions.command,
    BERTH_COMMAND_READY_MS: String(plan.targetOptions.readyTimeoutMs),
    BERTH_PROFILE: plan.profile,
    BERTH_AREAS: plan.areas.join(','),
    BERTH_CLAUSES: plan.clauses.join(','),
    BERTH_EXPECT: plan.expectFile,
    BERTH_RESULTS: plan.outDir,
    BERTH_SEED: plan.seed === undefined ? undefined : String(plan.seed),
    // The developers' real-daemon tier is not part of any target: the docker target names its daemon.
    BERTH_REAL_DAEMON_TIER: 'off',
    BERTH_REAL_DAEMON_PROBE: undefined,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `berth run`: probe the target, run the selected clauses, write results.json and every report. */
export async function runSuite(options: RunCliOptions): Promise<number> {
  const plan = planRun(options);
  for (const [key, value] of Object.entries(runEnvironment(plan))) {
    if (value === undefined || value === '') delete process.env[key];
    else process.env[key] = value;
  }
  // A probe left in the environment by an enclosing run must not stand in for this target's.
  delete process.env.BERTH_TARGET_PROBE;

  const out = process.stdout;
  const live = options.progress && out.isTTY && !process.env.CI;
  let probe;
  try {
    probe = await probeTarget(plan.target, plan.targetOptions);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    console.error(`berth: cannot run against --target ${plan.target}: ${(error as Error).message}`);
    if (typeof code === 'string' && code !== 'ERR_SUITE_TARGET_UNAVAILABLE')
      console.error(`berth: (${code})`);
    return 1;
  }
  process.env.BERTH_TARGET_PROBE = JSON.stringify(probe);
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
