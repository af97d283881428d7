import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongFilesFirstSequencer from './suite/harness/long-files-first-sequencer.js';
import { readRunEnvironment, recordInRunEnvironment } from './reports/model/run-environment.js';
import { randomSeed } from './suite/support/seed.js';

// One fast-check seed per run, chosen here (in the main process) so that every worker and every
// reporter sees the same value through the environment. BERTH_SEED overrides it.
recordInRunEnvironment({ seed: readRunEnvironment().seed ?? randomSeed() });

const shared = {
  setupFiles: ['suite/harness/setup-seed.ts', 'suite/harness/setup-temp-cleanup.ts'],
  globalSetup: ['suite/harness/global-setup.ts'],
  pool: 'forks' as const,
  // expect.poll's own default (1 s) is too short for a busy machine; a poll that succeeds returns
  // at once, so a long deadline costs nothing when the code is right.
  expect: { poll: { timeout: 10_000 } },
};

export default defineConfig({
  test: {
    sequence: { sequencer: LongFilesFirstSequencer },
    // vitest's default is one worker per core less one: a single worker on a 2-core machine, which
    // runs every file in turn. Most long files here wait (on child processes, a real dockerd, a
    // browser) rather than compute, so at least three workers keep both cores busy.
    // BERTH_MAX_WORKERS overrides.
    maxWorkers: Number(process.env.BERTH_MAX_WORKERS) || Math.max(3, availableParallelism() - 1),
    // The summary reporter goes last: its closing line must be the run's last line.
    reporters: [
      ...(readRunEnvironment().resultsDir === undefined ? [] : ['./reports/results-reporter.ts']),
      './reports/summary-reporter.ts',
    ],
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: [
            '{protocol,reference,simulators,reports,cli,bench,fixtures}/**/*.test.ts',
            'suite/{support,targets}/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          ...shared,
          name: 'conformance',
          include: ['suite/[0-9][0-9]-*/**/*.spec.ts'],
          setupFiles: [...shared.setupFiles, 'suite/harness/setup-conformance.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          ...shared,
          name: 'meta',
          include: ['suite/meta/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
