import { compareRecords, type Mismatch } from './compare-records.js';
import type { Norm } from './normalise-answer.js';
import { newRunPrefix, runScenario, type ScenarioRun } from './run-scenario.js';
import type { Scenario } from './scenario.js';

export interface FidelityOptions {
  /** Socket path of the reference daemon (a real dockerd). */
  readonly a: string;
  /** Socket path of the daemon under test (the simulator, or a second real one). */
  readonly b: string;
  readonly scenarios: readonly Scenario[];
  /** Per-phase deadline of every step; default 10 s. */
  readonly timeoutMs?: number;
}

export interface StepComparison {
  readonly scenario: string;
  readonly step: string;
  readonly match: boolean;
  readonly mismatches: readonly Mismatch[];
  readonly a: Norm;
  readonly b: Norm;
}

/** A step whose reference daemon did not answer the status the scenario expects. */
export interface ScenarioCheckFailure {
  readonly scenario: string;
  readonly step: string;
  readonly side: 'a' | 'b';
  readonly expected: number;
  readonly actual: number | string;
}

export interface FidelityReport {
  readonly steps: readonly StepComparison[];
  readonly matched: number;
  readonly total: number;
  /** Statuses the scenarios expect and `a` did not give: the scenario, not `b`, is wrong. */
  readonly scenarioFailures: readonly ScenarioCheckFailure[];
  readonly cleanupErrors: { readonly a: readonly string[]; readonly b: readonly string[] };
  /** Run prefixes used on each side. */
  readonly runs: { readonly a: readonly string[]; readonly b: readonly string[] };
}

function checkExpectations(run: ScenarioRun, side: 'a' | 'b'): ScenarioCheckFailure[] {
  return run.steps.flatMap((step) => {
    if (step.expect === undefined || step.status === step.expect) return [];
    const error = step.observation.error;
    const actual = step.status ?? error ?? 'no status';
    return [{ scenario: run.scenario, step: step.step, side, expected: step.expect, actual }];
  });
}

/**
 * Runs every scenario on both daemons (the two sides of a scenario concurrently, each with its
 * own run prefix) and compares the normalised records step by step.
 */
export async function runFidelity(options: FidelityOptions): Promise<FidelityReport> {
  const steps: StepComparison[] = [];
  const scenarioFailures: ScenarioCheckFailure[] = [];
  const cleanupA: string[] = [];
  const cleanupB: string[] = [];
  const runsA: string[] = [];
  const runsB: string[] = [];
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  for (const scenario of options.scenarios) {
    const [a, b] = await Promise.all([
      runScenario(options.a, scenario, { run: newRunPrefix(), ...timeout }),
      runScenario(options.b, scenario, { run: newRunPrefix(), ...timeout }),
    ]);
    runsA.push(a.run);
    runsB.push(b.run);
    cleanupA.push(...a.cleanupErrors);
    cleanupB.push(...b.cleanupErrors);
    scenarioFailures.push(...checkExpectations(a, 'a'));
    a.steps.forEach((stepA, index) => {
      const stepB = b.steps[index];
      const recordB: Norm = stepB?.record ?? { error: 'ERR_FIDELITY_NOT_RUN' };
      const mismatches = compareRecords(stepA.record, recordB);
      steps.push({
        scenario: scenario.name,
        step: stepA.step,
        match: mismatches.length === 0,
        mismatches,
        a: stepA.record,
        b: recordB,
      });
    });
  }
  return {
    steps,
    matched: steps.filter((step) => step.match).length,
    total: steps.length,
    scenarioFailures,
    cleanupErrors: { a: cleanupA, b: cleanupB },
    runs: { a: runsA, b: runsB },
  };
}
