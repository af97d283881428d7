export {
  checkLedger,
  matchesKnownDifference,
  type KnownDifference,
  type LedgerCheck,
  type LocatedMismatch,
} from './check-ledger.js';
export { compareRecords, type Mismatch } from './compare-records.js';
export {
  InvalidScenarioError,
  MalformedResponseError,
  MissingVariableError,
  RawClientClosedError,
  RawClientTimeoutError,
} from './errors.js';
export { countSteps, FIDELITY_IMAGE, fidelityScenarios } from './fidelity-scenarios.js';
export { formatFidelityReport, type FormatOptions } from './format-fidelity-report.js';
export { knownDifferences } from './known-differences.js';
export {
  KEPT_VALUES,
  normaliseAnswer,
  type Norm,
  type NormaliseContext,
  type Observation,
} from './normalise-answer.js';
export {
  framingOf,
  openRawConnection,
  rawExchange,
  type Framing,
  type RawConnection,
  type RawRequest,
  type RawResponse,
} from './raw-connection.js';
export {
  runFidelity,
  type FidelityOptions,
  type FidelityReport,
  type ScenarioCheckFailure,
  type StepComparison,
} from './run-fidelity.js';
export {
  assertValidScenario,
  newRunPrefix,
  runScenario,
  sweep,
  type ScenarioRun,
  type StepResult,
} from './run-scenario.js';
export type { HijackStep, ReleaseStep, RequestStep, Scenario, SharedPrefixStep, Step } from './scenario.js';
