import type { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../../cli/program.js';
import type { RunCliOptions } from '../../cli/run-options.js';
import { planRun, runEnvironmentOf } from '../../cli/run.js';
import { encodeRunEnvironment, readRunEnvironment } from '../../reports/model/run-environment.js';
import { targetInfoOf } from '../../reports/results-reporter.js';
import { clause } from '../harness/clause.js';
import { disposeTarget, prepareTarget } from '../harness/current-target.js';
import { probeTarget, TARGETS } from './index.js';
import { toyTarget } from './toy-target.test-helper.js';

// A new target is one file (toy-target.test-helper.ts) and one registry entry: everything that
// lists, checks, encodes or describes targets takes the registry and derives the rest from it.
const registry = { ...TARGETS, toy: toyTarget };
const SECRET_COMMAND = 'toy-server --listen {listen} TOY_TOKEN=hunter2';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-toy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What `berth run` hands to its action for `args`, parsed by the program built on `targets`. */
async function parsedRunOptions(args: readonly string[]): Promise<RunCliOptions> {
  const program = buildProgram(registry);
  let parsed: RunCliOptions | undefined;
  const run = program.commands.find((command: Command) => command.name() === 'run')!;
  run.action((options: RunCliOptions) => {
    parsed = options;
  });
  await program.parseAsync(['run', ...args], { from: 'user' });
  if (parsed === undefined) throw new Error('the run action did not run');
  return parsed;
}

/** main() with console.error captured: the exit code and the lines it printed. */
async function mainOf(
  argv: readonly string[],
  targets: typeof registry | typeof TARGETS,
): Promise<{ code: number; lines: string[] }> {
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(argv, targets);
    const lines = [
      ...errors.mock.calls.map((call) => String(call[0])),
      ...stderr.mock.calls.map((call) => String(call[0])),
    ]
      .join('\n')
      .trim()
      .split('\n');
    return { code, lines };
  } finally {
    errors.mockRestore();
    stderr.mockRestore();
  }
}

describe('a toy target registered beside the project targets', () => {
  it('is a --target choice of the CLI, with its description in the help', () => {
    const run = buildProgram(registry).commands.find((command) => command.name() === 'run')!;
    const help = run.helpInformation();
    expect(help).toContain('toy: a toy registry, to show what a new target takes');
    expect(help).toMatch(/--command <cmdline>\s+proxy-command \/ driver-command \/ toy target/);
    expect(
      buildProgram()
        .commands.find((command) => command.name() === 'run')!
        .helpInformation(),
    ).not.toContain('toy');
  });

  it('takes its own flag and plans a run', async () => {
    const options = await parsedRunOptions(['--target', 'toy', '--command', SECRET_COMMAND, '--out', dir]);
    const plan = planRun(options, {}, registry);
    expect(plan.target).toBe('toy');
    expect(plan.targetOptions).toEqual({ command: SECRET_COMMAND });
  });

  it.each([
    [['--docker-host', 'unix:///x.sock'], /--docker-host is only used with --target docker$/],
    [
      ['--ready-timeout-ms', '500'],
      /--ready-timeout-ms is only used with --target proxy-command or driver-command$/,
    ],
  ])('refuses a flag it does not take, %j, with one line and exit code 2', async (flags, message) => {
    const { code, lines } = await mainOf(['run', '--target', 'toy', '--command', 'toy', ...flags], registry);
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('needs its required flag, saying so in its own words', async () => {
    const { code, lines } = await mainOf(['run', '--target', 'toy', '--out', dir], registry);
    expect(code).toBe(2);
    expect(lines).toEqual([`berth: --target toy needs --command, e.g. --command 'toy --token=...'`]);
  });

  it('is unknown to a CLI built on the project registry alone', async () => {
    const nope = await mainOf(['run', '--target', 'nope'], registry);
    expect(nope.code).toBe(2);
    expect(nope.lines).toHaveLength(1);
    const { code, lines } = await mainOf(['run', '--target', 'toy'], TARGETS);
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/argument 'toy' is invalid/);
  });

  it('passes its plan to the workers through the run environment and reads it back', async () => {
    const plan = planRun(
      await parsedRunOptions(['--target', 'toy', '--command', SECRET_COMMAND, '--out', dir]),
      {},
      registry,
    );
    const env = encodeRunEnvironment(runEnvironmentOf(plan));
    expect(env).toMatchObject({ BERTH_TARGET: 'toy', BERTH_COMMAND: SECRET_COMMAND });
    expect(readRunEnvironment(env)).toEqual(runEnvironmentOf(plan));
  });

  it("shows its options in the results' target info, redacted as its definition says", async () => {
    const run = readRunEnvironment({ BERTH_TARGET: 'toy', BERTH_COMMAND: SECRET_COMMAND });
    const probe = await probeTarget(run.target, run.targetOptions, registry);
    const info = targetInfoOf(readRunEnvironment(encodeRunEnvironment({ ...run, targetProbe: probe })));
    expect(info).toEqual({
      name: 'toy',
      description: `a toy started as ${SECRET_COMMAND}`,
      options: { command: 'toy-server --listen {listen} TOY_TOKEN=[redacted]' },
      probe: { toy: true },
    });
    expect(JSON.stringify(info.options)).not.toContain('hunter2');
  });
});

// Clause bodies run against it through the real clause() harness: REG-1 passes; REG-3 fails on
// the toy's flaw and, listed in the toy's own ledger, is a known failure (an unexpected pass or
// an unlisted failure would fail this file).
await prepareTarget(readRunEnvironment({ BERTH_TARGET: 'toy', BERTH_COMMAND: 'toy' }), registry);
afterAll(async () => {
  await disposeTarget();
});

describe('clauses run against the toy target', () => {
  clause('REG-1', 'answers missing on a fresh toy registry', async ({ use, expect: check, target }) => {
    check(target.name).toBe('toy');
    const registryPort = await use('registry').create();
    for (const key of ['missing', 'web'])
      check(await registryPort.lookup(key), key).toEqual({ kind: 'missing' });
  });

  clause('REG-3', 'lets the last record of a key win (the toy does not)', async ({ use, expect: check }) => {
    const registryPort = await use('registry').create();
    await registryPort.record('abc', 'native');
    await registryPort.record('abc', 'amd64');
    check(await registryPort.lookup('abc')).toEqual({ kind: 'found', role: 'amd64' });
  });
});
