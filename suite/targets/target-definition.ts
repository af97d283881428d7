import type { ClausePrefix } from '../clauses/catalogue.js';
import type { Expectation } from '../../reports/model/expectation.js';
import type { TargetOptionName, TargetOptions } from '../../reports/model/target-options.js';
import type { Target, TargetProbe } from './target.js';

/** How a target takes one of the target options (reports/model/target-options.ts). */
export interface TargetOptionUse {
  /**
   * When the option must be given: the end of the one-line usage error after
   * `--target <name> needs ` (the flag, an example, where else the value may come from).
   */
  readonly required?: string;
  /** A non-BERTH variable that stands in when neither the flag nor its BERTH_* variable is set. */
  readonly fallbackEnv?: string;
  /** The value when nothing gives one. */
  readonly default?: string | number;
  /** How results.json shows it: as given, redacted (credentials masked), or not at all. */
  readonly shown: 'plain' | 'redacted' | 'hidden';
}

/**
 * One target the suite can run against. `berth run`'s choices and flag checks, the environment
 * decoding of its options, the report's target info and the built-in known failures all derive
 * from the registry of these (suite/targets/index.ts): a new target is its definition's file plus
 * one registry entry. Definitions load their target's code lazily, in `probe` and `create`, so the
 * CLI and the reporters can import the registry cheaply.
 */
export interface TargetDefinition {
  readonly name: string;
  /** One line for `--help` and the README. */
  readonly description: string;
  /** The clause families whose facets it offers (coverage listing, README). */
  readonly families: readonly ClausePrefix[];
  /** The options it takes; any other target option given to it is a usage error. */
  readonly options: Readonly<Partial<Record<TargetOptionName, TargetOptionUse>>>;
  /** Its own known failures (the expectations ledger kept in the repository). */
  readonly expectations: readonly Expectation[];
  /** Checks, once before the run, that it is reachable; a BerthError with one line when not. */
  probe(options: TargetOptions): Promise<TargetProbe>;
  /** Builds it for one test worker (resources start lazily, on first use). */
  create(options: TargetOptions): Promise<Target>;
}
