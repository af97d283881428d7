import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isBerthError } from '../protocol/errors.js';
import { UsageError } from './cli-errors.js';
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

export function buildProgram(): Command {
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

  return program;
}

/** Runs the CLI; usage errors print one line and exit 2, other failures exit 1. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
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
