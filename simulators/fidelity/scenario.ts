/**
 * The scenario format. A scenario is a named list of steps run in order on one daemon; each step
 * sends one request (or a hijack, or a long-poll) and may capture values for later steps, so the
 * same scenario runs unchanged against two daemons.
 *
 * Templates (in paths, query values, header values, JSON string values and text bodies):
 * - `{{var}}`: a value captured earlier (container Id, exec Id, image Id, ...);
 * - `{{var:12}}`: its first 12 characters (a short ID; `sha256:` is skipped first);
 * - `{{name:web}}`: a container or image name unique to this run and daemon (`<run>-web`);
 * - `{{run}}`: the run prefix itself.
 * Every value a template produced is normalised back to its placeholder in the answers.
 */

/** How the body of an answer is decoded before normalisation. */
export type BodyDecoding =
  /** By Content-Type: JSON (one document or one per line), else text. */
  | 'auto'
  /** stdcopy frames (no TTY): contents per stream. */
  | 'stdcopy'
  /** Raw TTY bytes. */
  | 'tty'
  /** A tar archive: entry names, types and contents. */
  | 'tar';

export interface NormaliseOptions {
  /** Reduce the whole JSON body to key sets and value types, arrays to their distinct shapes (host-specific documents such as /info). */
  readonly shapeOnly?: boolean;
  /** Extra JSON paths whose values are kept (patterns as in KEPT_VALUES); the only ones in shape-only documents. */
  readonly keep?: readonly string[];
}

export type TarEntrySpec = { readonly name: string; readonly content: string; readonly mode?: number };

export type QueryValue = string | number | boolean | Readonly<Record<string, unknown>>;

export interface RequestSpec {
  readonly method: string;
  /** Path template, `/v1.41/...` or unversioned, without the query. */
  readonly path: string;
  /** Query parameters in order; objects are JSON-encoded (filters). */
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Extra headers (templated); they replace the defaults of the same name. */
  readonly headers?: readonly (readonly [string, string])[];
  /** A JSON body (templated), sent with Content-Type application/json. */
  readonly json?: unknown;
  /** A raw body: text (templated) or a tar archive built from entries. */
  readonly body?: string | { readonly tar: readonly TarEntrySpec[] };
  /** Send the body with Transfer-Encoding: chunked, as the CLI does for `docker cp` (5.3.6). */
  readonly chunked?: boolean;
}

interface StepBase {
  /** Unique within the scenario; the report names steps `scenario / step`. */
  readonly name: string;
  /** Status the reference daemon must answer: a check of the scenario itself, not of fidelity. */
  readonly expect?: number;
  /** Variables to capture from the JSON answer: variable name → dotted path (`Id`, `0.Id`). */
  readonly capture?: Readonly<Record<string, string>>;
  readonly normalise?: NormaliseOptions;
  /** Per-phase deadline; default 10 s. */
  readonly timeoutMs?: number;
}

/** One request and its complete answer. */
export interface RequestStep extends StepBase, RequestSpec {
  readonly kind?: 'request';
  readonly decode?: BodyDecoding;
  /** Send on this named keep-alive connection (opened on first use) instead of a fresh one. */
  readonly connection?: string;
  /**
   * Long-poll: record only the head (waiting up to `headTimeoutMs`), keep reading the body in the
   * background on the step's own connection; a later `release` step records the body.
   */
  readonly hold?: string;
  /** With `hold`: how long to wait for the head before recording that none came; default 3 s. */
  readonly headTimeoutMs?: number;
}

/** A hijack (attach, exec start): a head, then stdin one way and a stream the other. */
export interface HijackStep extends StepBase, RequestSpec {
  readonly kind: 'hijack';
  /** Send `Connection: Upgrade` and `Upgrade: tcp` (expect 101) or not (expect 200, DKR-19/21). */
  readonly upgrade: boolean;
  /** How the stream is decoded: stdcopy frames without a TTY, raw bytes with one. */
  readonly stream: 'stdcopy' | 'tty';
  /** Written after the head. */
  readonly stdin?: string;
  /** Half-close (FIN) after the head and stdin, as the CLI does (5.3.1). */
  readonly halfClose?: boolean;
  /** As for requests: record the head now, the stream at the matching `release` step. */
  readonly hold?: string;
  readonly headTimeoutMs?: number;
  readonly connection?: string;
}

/** Finishes a held request or hijack: optional stdin and FIN, then its body until the end. */
export interface ReleaseStep extends Omit<StepBase, 'capture'> {
  readonly kind: 'release';
  readonly of: string;
  readonly stdin?: string;
  readonly halfClose?: boolean;
  readonly capture?: Readonly<Record<string, string>>;
}

/**
 * Creates containers (from `json`, templated) until two of them share the first hex character
 * of their ID, and captures that character as `capture` (DKR-30 ambiguous prefix). The record is
 * the last create's answer; the number of creates is random and not compared.
 */
export interface SharedPrefixStep extends Omit<StepBase, 'capture'> {
  readonly kind: 'shared-prefix';
  readonly path: string;
  readonly json: unknown;
  readonly capture: string;
  /** Upper bound on creates; 17 always suffice (16 hex digits). */
  readonly max?: number;
}

export type Step = RequestStep | HijackStep | ReleaseStep | SharedPrefixStep;

export interface Scenario {
  readonly name: string;
  readonly steps: readonly Step[];
}

/** The label every object created by the harness carries (and the sweep looks for). */
export const FIDELITY_LABEL = 'berth.test';
export const FIDELITY_LABEL_VALUE = 'fidelity';
/** A second label with the run prefix, so a sweep only ever touches its own run's objects. */
export const FIDELITY_RUN_LABEL = 'berth.fidelity.run';
/** Repository prefix of every image the harness creates (commit, tag). */
export const FIDELITY_REPO = 'berth-fidelity';

export function stepKind(step: Step): 'request' | 'hijack' | 'release' | 'shared-prefix' {
  return step.kind ?? 'request';
}
