import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isBerthError } from '../protocol/errors.js';
import { UsageError } from './cli-errors.js';
import { PROFILES } from '../reports/model/run-environment.js';
import { TARGET_OPTION_KINDS, TARGET_OPTION_NAMES } from '../reports/model/target-options.js';
import { TARGETS, targetsTaking, type TargetRegistry } from '../suite/targets/index.js';
import type { ListCliOptions, ReportCliOptions, RunCliOptions } from './run-options.js';
import type { ServeCliOptions } from './serve-options.js';
import type { SimDockerdCliOptions } from './sim-dockerd-options.js';

const API_VERSION = /^1\.\d{1,2}$/;

function apiVersion(value: string): string {
  if (!API_VERSION.test(value)) throw new InvalidArgumentError('expected an API version such as 1.41');
  return value;
}

function positiveInteger(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Repeatable and comma-separated: `--clause HND-7,HND-8 --clause UPG-1`. */
function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a non-empty value');
  return [...(previous ?? []), ...items];
}

function seed(value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0x7fffffff) {
    throw new InvalidArgumentError('expected an integer between 0 and 2147483647');
  }
  return Number(value);
}

/** The exit code an action asks for (commander actions return nothing). */
let actionExitCode = 0;

/** `--target`'s help: every target of the registry with its one line. */
function targetHelp(targets: TargetRegistry): string {
  const lines = Object.values(targets).map((definition) => `${definition.name}: ${definition.description}`);
  return `what to check (${lines.join('; ')})`;
}

/** The target options of `berth run`: each one's help names the targets that take it. */
function targetOptions(targets: TargetRegistry): Option[] {
  return TARGET_OPTION_NAMES.flatMap((name) => {
    const takers = targetsTaking(name, targets);
    if (takers.length === 0) return [];
    const kind = TARGET_OPTION_KINDS[name];
    const defaults = new Set(
      Object.values(targets).flatMap((definition) => definition.options[name]?.default ?? []),
    );
    const fallbacks = new Set(
      Object.values(targets).flatMap((definition) => definition.options[name]?.fallbackEnv ?? []),
    );
    const extra = [
      ...[...fallbacks].map((variable) => `default ${variable}`),
      ...[...defaults].map((value) => `default ${value}`),
    ];
    return [
      new Option(
        `${kind.flag} ${kind.placeholder}`,
        `${takers.join(' / ')} target: ${kind.help}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`,
      ),
    ];
  });
}

/** The CLI; `targets` is the target registry `berth run` offers (the project's by default). */
export function buildProgram(targets: TargetRegistry = TARGETS): Command {
  const program = new Command('berth')
    .description('Conformance kit for VM-backed Docker engines')
    .exitOverride();

  const sim = program.command('sim').description('run simulators').exitOverride();
  sim
    .command('dockerd')
    .description('run a simulated guest dockerd until interrupted (SIGINT/SIGTERM)')
    .requiredOption('--listen <address>', 'unix:///path.sock or tcp://127.0.0.1:PORT')
    .option('--name <name>', 'name reported in /info and used to derive IDs', 'sim')
    .addOption(
      new Option('--arch <arch>', 'architecture the guest reports')
        .choices(['amd64', 'arm64'])
        .default('amd64'),
    )
    .option('--api-version <version>', 'highest API version served', apiVersion, '1.41')
    .option('--min-api-version <version>', 'lowest API version served', apiVersion, '1.24')
    .option('--image <ref>', 'seed image (repeatable; default local/busybox:1)', collect)
    .option('--allow-remote', 'allow a non-loopback tcp:// address', false)
    .exitOverride()
    .action(async (options: SimDockerdCliOptions) => {
      const { runSimDockerd } = await import('./sim-dockerd.js');
      await runSimDockerd(options);
    });

  program
    .command('serve')
    .description('run the reference Docker API proxy in front of guest dockerds until interrupted')
    .requiredOption('--listen <address>', 'unix:///path.sock (mode 0600) or tcp://127.0.0.1:PORT')
    .requiredOption('--guest <role=unix:///path.sock>', 'a role and its guest dockerd (repeatable)', collect)
    .option(
      '--platform <role=os/arch>',
      'platforms a role runs (repeatable; default: probed from the guest /version Arch)',
      collect,
    )
    .option('--default-role <role>', 'role for requests naming no workload (default: the first --guest)')
    .option('--handshake-timeout-ms <ms>', 'deadline of upgrade handshakes and probes', positiveInteger, 5000)
    .option('--allow-remote', 'allow a non-loopback tcp:// address', false)
    .exitOverride()
    .action(async (options: ServeCliOptions) => {
      const { runServe } = await import('./serve.js');
      await runServe(options);
    });

  const run = program
    .command('run')
    .description('run the conformance suite against a target and write every report')
    .addOption(
      new Option('--target <name>', targetHelp(targets)).choices(Object.keys(targets)).default('reference'),
    )
    .option('--area <area>', 'only this area, e.g. 20-proxy or 20 (repeatable, comma-separated)', collectList)
    .option('--clause <id>', 'only this clause, e.g. HND-7 (repeatable, comma-separated)', collectList)
    .addOption(
      new Option('--profile <profile>', 'how many generated cases property tests run')
        .choices(PROFILES)
        .default('core'),
    )
    .option('--seed <n>', 'fast-check seed (default: random, printed and written to results.json)', seed)
    .option('--out <dir>', 'folder for results.json and the reports', 'reports/out')
    .option('--expect <file>', 'your expectations ledger: JSON [{"clause","title?","reason"}]');
  for (const option of targetOptions(targets)) run.addOption(option);
  run
    .option('--no-progress', 'plain lines even on a terminal')
    .exitOverride()
    .action(async (options: RunCliOptions) => {
      const { runSuite } = await import('./run.js');
      actionExitCode = await runSuite(options, targets);
    });

  program
    .command('list')
    .description('print the clause catalogue')
    .option('--area <area>', 'only clauses of this area, e.g. 20-proxy (repeatable)', collectList)
    .option('--component <name>', 'only this component, e.g. proxy or registry (repeatable)', collectList)
    .option('--level <level>', 'only MUST, SHOULD or MAY (repeatable)', collectList)
    .option('--clause <id>', 'only these clauses (repeatable, comma-separated)', collectList)
    .option('--json', 'print JSON instead of a table', false)
    .exitOverride()
    .action(async (options: ListCliOptions) => {
      const { runList } = await import('./list.js');
      actionExitCode = await runList(options);
    });

  program
    .command('report')
    .description('render every report (JUnit, Markdown, HTML, badges) from a saved results.json')
    .argument('<results.json>', 'a results file written by berth run')
    .option('--out <dir>', 'where to write the reports (default: the folder of the results file)')
    .exitOverride()
    .action(async (resultsPath: string, options: ReportCliOptions) => {
      const { runReport } = await import('./report.js');
      actionExitCode = await runReport(resultsPath, options);
    });

  const driver = program
    .command('driver')
    .description('reference drivers for the driver-command target (newline-delimited JSON on stdin/stdout)')
    .exitOverride();
  for (const kind of ['registry', 'dispatch'] as const) {
    driver
      .command(kind)
      .description(
        `serve the reference ${kind === 'registry' ? 'workload registry' : 'composite runtime'} over the driver protocol`,
      )
      .exitOverride()
      .action(async () => {
        const { runDriver } = await import('./driver.js');
        actionExitCode = await runDriver(kind);
      });
  }

  return program;
}

/** Runs the CLI; usage errors print one line and exit 2, other failures exit 1. */
export async function main(argv: readonly string[], targets: TargetRegistry = TARGETS): Promise<number> {
  try {
    actionExitCode = 0;
    await buildProgram(targets).parseAsync(argv, { from: 'user' });
    return actionExitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return 2; // commander already printed its one-line message
    }
    if (error instanceof UsageError) {
      console.error(`berth: ${error.message}`);
      return 2;
    }
    console.error(`berth: ${isBerthError(error) ? `${error.message} (${error.code})` : String(error)}`);
    return 1;
  }
}
