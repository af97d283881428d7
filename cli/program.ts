import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isBerthError } from '../protocol/errors.js';
import { UsageError } from './cli-errors.js';
import type { SimDockerdCliOptions } from './sim-dockerd-options.js';

const API_VERSION = /^1\.\d{1,2}$/;

function apiVersion(value: string): string {
  if (!API_VERSION.test(value)) throw new InvalidArgumentError('expected an API version such as 1.41');
  return value;
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
