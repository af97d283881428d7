import type { SerializedError } from 'vitest';
import type { TestModule } from 'vitest/node';
import { DefaultReporter, type TestRunEndReason } from 'vitest/node';
import { readRunEnvironment } from './model/run-environment.js';
import { closingLine, countRun } from './run-counts.js';

/**
 * vitest's default progress output, then the run's seed, the known failures taken from the
 * expectations ledgers, and last the plain closing line `N passed, N failed, N skipped`.
 */
export default class SummaryReporter extends DefaultReporter {
  override onTestRunEnd(
    modules: readonly TestModule[],
    unhandledErrors: readonly SerializedError[],
    reason: TestRunEndReason,
  ): void {
    super.onTestRunEnd(modules, unhandledErrors, reason);
    const counts = countRun(modules, unhandledErrors);
    const log = (line: string): void => this.ctx.logger.log(line);
    log('');
    const { seed } = readRunEnvironment();
    log(`seed: ${seed ?? 'unset'} (replay with BERTH_SEED=${seed ?? '<n>'})`);
    if (counts.knownFailures > 0) {
      log(`known failures (expectations ledger): ${counts.knownFailures}, counted as passed`);
    }
    if (counts.checkedNothing) {
      log('error: no test ran an assertion in this run');
      process.exitCode = 1;
    }
    log(closingLine(counts));
  }
}
