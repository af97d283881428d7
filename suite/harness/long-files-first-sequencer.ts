import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take longest (end-to-end `berth run`s, child vitest runs, the real dockerd), in the
 * order they should start. On a clean clone vitest has no timings cached and sorts projects by
 * name and files by size, which starts these small files last and leaves one of them running
 * alone at the end; starting them first lets everything else fill the other worker meanwhile.
 */
const LONG_FILES = [
  'cli/run-docker.test.ts',
  'cli/run.test.ts',
  'suite/meta/clause-coverage.test.ts',
  'simulators/fidelity/fidelity.test.ts',
  'suite/targets/driver-command.test.ts',
  'suite/50-snapshot/execute.spec.ts',
  'cli/serve.test.ts',
];

export default class LongFilesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const index = LONG_FILES.indexOf(relative(this.ctx.config.root, file.moduleId));
      return index === -1 ? LONG_FILES.length : index;
    };
    // Array.prototype.sort is stable: everything else keeps vitest's own order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
