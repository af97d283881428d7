/** Options of `berth run`, as commander parses them. */
export interface RunCliOptions {
  readonly target: 'reference' | 'docker' | 'proxy-command' | 'driver-command';
  /** Areas by folder name (`20-proxy`) or number (`20`); repeatable or comma-separated. */
  readonly area?: string[];
  /** Clause ids; repeatable or comma-separated. */
  readonly clause?: string[];
  readonly profile: 'quick' | 'core' | 'full';
  readonly seed?: number;
  readonly out: string;
  readonly expect?: string;
  readonly dockerHost?: string;
  readonly command?: string;
  readonly readyTimeoutMs: number;
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
