import { relative } from 'node:path';
import { createLogUpdate } from 'log-update';
import pc from 'picocolors';
import type { Reporter, TestCase, TestModule, TestSpecification, Vitest } from 'vitest/node';
import { clauseOfTitle, isClauseSelected } from './model/task-meta.js';
import { closingLine, countVerdict, emptyTally, type Tally } from './model/tally.js';
import { isFailingVerdict, verdictOfTest } from './model/verdict.js';

export interface ProgressOptions {
  /** Redraw one live status line (a terminal, not CI); otherwise plain lines only. */
  readonly live: boolean;
  /** Where progress goes (stdout). */
  readonly stream: NodeJS.WriteStream;
  /** Clauses selected with --clause: tests of other clauses are filtered out, not "skipped". */
  readonly clauses: readonly string[];
}

function firstLine(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * `berth run`'s console: on a terminal, one live status line (files done, tests passed/failed)
 * with each failure printed above it as it happens; elsewhere (CI, a pipe) one plain line per spec
 * file and per failure. The closing line is printed by `berth run` after the reports are written.
 */
export class ProgressReporter implements Reporter {
  private root = process.cwd();
  private files = 0;
  private filesDone = 0;
  private readonly total: Tally = emptyTally();
  private readonly perModule = new Map<string, Tally>();
  private readonly colors: ReturnType<typeof pc.createColors>;
  private readonly live: ReturnType<typeof createLogUpdate> | undefined;
  private readonly startedAt = Date.now();

  constructor(private readonly options: ProgressOptions) {
    this.colors = pc.createColors(options.live);
    this.live = options.live ? createLogUpdate(options.stream, { showCursor: true }) : undefined;
  }

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunStart(specifications: readonly TestSpecification[]): void {
    this.files = new Set(specifications.map((spec) => spec.moduleId)).size;
    this.print(`running ${this.files} spec file${this.files === 1 ? '' : 's'}`);
  }

  onTestCaseResult(test: TestCase): void {
    if (!isClauseSelected(this.options.clauses, clauseOfTitle(test.name))) return;
    const tally = this.perModule.get(test.module.moduleId) ?? emptyTally();
    this.perModule.set(test.module.moduleId, tally);
    const { kind } = verdictOfTest({ state: test.result().state, meta: test.meta().berth });
    countVerdict(tally, kind);
    countVerdict(this.total, kind);
    if (isFailingVerdict(kind)) {
      const error = test.result().errors?.[0];
      const message =
        error === undefined ? 'failed' : `${error.name ?? 'Error'}: ${firstLine(error.message)}`;
      this.print(`${this.colors.red('FAIL')} ${test.name}\n     ${message}`);
    }
    this.redraw();
  }

  onTestModuleEnd(module: TestModule): void {
    this.filesDone += 1;
    const tally = this.perModule.get(module.moduleId) ?? emptyTally();
    const moduleFailed = module.state() === 'failed' && tally.failed === 0;
    if (moduleFailed) {
      const error = module.errors()[0];
      this.print(
        `${this.colors.red('FAIL')} ${relative(this.root, module.moduleId)} (the file itself failed)\n     ${error === undefined ? '' : firstLine(error.message)}`,
      );
    }
    const ran = tally.passed + tally.failed + tally.skipped;
    // A file none of whose tests were selected (--clause) is not worth a line.
    if (this.live === undefined && (ran > 0 || moduleFailed)) {
      const mark = tally.failed > 0 || moduleFailed ? 'x' : 'ok';
      const duration = module.diagnostic().duration;
      this.print(
        `${mark.padEnd(2)} ${relative(this.root, module.moduleId)}  ${closingLine(tally)} (${seconds(duration)})`,
      );
    }
    this.redraw();
  }

  onTestRunEnd(): void {
    this.live?.clear();
    this.live?.done();
  }

  private print(text: string): void {
    if (this.live !== undefined) {
      this.live.clear();
      this.options.stream.write(`${text}\n`);
      this.redraw();
    } else {
      this.options.stream.write(`${text}\n`);
    }
  }

  private redraw(): void {
    if (this.live === undefined) return;
    const { passed, failed, skipped } = this.total;
    const c = this.colors;
    this.live(
      `${c.dim(`files ${this.filesDone}/${this.files}`)}  ${c.green(`${passed} passed`)}  ${failed > 0 ? c.red(`${failed} failed`) : '0 failed'}  ${c.yellow(`${skipped} skipped`)}  ${c.dim(seconds(Date.now() - this.startedAt))}`,
    );
  }
}
