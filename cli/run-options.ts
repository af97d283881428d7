/** Options of `berth run`, as commander parses them. */
export interface RunCliOptions {
  /** A target of the registry (suite/targets/index.ts); commander checks it against the choices. */
  readonly target: string;
  /** Areas by folder name (`20-proxy`) or number (`20`); repeatable or comma-separated. */
  readonly area?: string[];
  /** Clause ids; repeatable or comma-separated. */
  readonly clause?: string[];
  readonly profile: 'quick' | 'core' | 'full';
  readonly seed?: number;
  readonly out: string;
  readonly expect?: string;
  /** Target options (reports/model/target-options.ts), as typed: planRun validates them. */
  readonly dockerHost?: string;
  readonly command?: string;
  readonly readyTimeoutMs?: string | number;
  /** False with --no-progress: plain lines even on a terminal. */
  readonly progress: boolean;
}

/** Options of `berth list`. */
export interface ListCliOptions {
  readonly area?: string[];
  readonly component?: string[];
  readonly level?: string[];
  readonly clause?: string[];
  readonly json: boolean;
}

/** Options of `berth report`. */
export interface ReportCliOptions {
  /** Where to write the reports (default: the folder of the results file). */
  readonly out?: string;
}
