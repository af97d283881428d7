import { Buffer } from 'node:buffer';
import { getHeader, type HeaderList } from '../../protocol/header-list.js';
import { createFrameDecoder } from '../../protocol/stdcopy-decoder.js';
import type { Frame } from '../../protocol/stdcopy-frame.js';
import { shortId } from './expand-template.js';
import type { Framing } from './raw-connection.js';
import type { BodyDecoding, NormaliseOptions } from './scenario.js';
import { parseTar } from './tar-archive.js';

/** A normalised, comparable value: plain JSON. Bags (`{ $bag: [...] }`) compare as sets. */
export type Norm = null | boolean | number | string | readonly Norm[] | { readonly [key: string]: Norm };

/** What the runner saw for one step, before normalisation. */
export interface Observation {
  /** A whole answer, the head of a held one (`hold`), or the body of a released one. */
  readonly part: 'full' | 'head' | 'body';
  readonly method: string;
  readonly status?: number;
  readonly reason?: string;
  readonly headers?: HeaderList;
  readonly framing?: Framing;
  readonly body?: Buffer;
  readonly decode: BodyDecoding;
  /** The step failed on the client side (timeout, closed, missing variable): its stable code. */
  readonly error?: string;
  /** Facts the runner adds for special steps (shared-prefix). */
  readonly facts?: Readonly<Record<string, Norm>>;
}

/** Values to turn back into placeholders: captured variables and the run prefix. */
export interface NormaliseContext {
  readonly run: string;
  readonly vars: ReadonlyMap<string, string>;
  /** Variables this step sent; short ones (< 8 chars) are replaced only in such steps. */
  readonly used: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------------
// Strings

interface Substitution {
  readonly pattern: RegExp;
  readonly placeholder: string;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Values are IDs, names and prefixes: replace whole tokens only, never inside a longer word. */
const token = (text: string): RegExp => new RegExp(`(?<![A-Za-z0-9])${escape(text)}(?![A-Za-z0-9])`, 'g');
/** A short value (a 1-character prefix) must stand alone: "prefix: 7", not the 1 of "1.41". */
const shortToken = (text: string): RegExp => new RegExp(`(?<![\\w.:/-])${escape(text)}(?![\\w.:/-])`, 'g');

/**
 * S1: every value the run produced becomes its placeholder: a captured variable `<ctr>`, its
 * bare hex (for `sha256:` IDs) `<img>`, its 12-character short form `<ctr:12>`, and the run prefix
 * `<run>` (so `/fid1a2b3c-0-web` becomes `/<run>-web` on both daemons). Longest values first. A
 * variable shorter than 8 characters (an ambiguous 1-character prefix) is replaced only in the
 * steps that sent it, where it cannot be a coincidence.
 */
function buildSubstitutions(context: NormaliseContext): Substitution[] {
  const pairs: [string, string][] = [[context.run, '<run>']];
  for (const [name, value] of context.vars) {
    if (value.length < 8) {
      if (context.used.has(name)) pairs.push([value, `<${name}>`]);
      continue;
    }
    pairs.push([value, `<${name}>`]);
    const bare = value.replace(/^sha256:/, '');
    if (bare !== value) pairs.push([bare, `<${name}>`]);
    if (/^[0-9a-f]{64}$/.test(bare)) pairs.push([shortId(value, 12), `<${name}:12>`]);
  }
  pairs.sort((x, y) => y[0].length - x[0].length);
  return pairs.map(([value, placeholder]) => ({
    pattern: value.length < 8 ? shortToken(value) : token(value),
    placeholder,
  }));
}

/** Go's zero time.Time: the contract's way of saying "never" (StartedAt of a created container). */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Generic rules after S1, for values no step captured. */
const GENERIC: readonly Substitution[] = [
  // S2: IDs nobody captured (image layers, parents, other daemons' objects): only their shape counts.
  { pattern: /sha256:[0-9a-f]{64}/g, placeholder: 'sha256:<hex64>' },
  { pattern: /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g, placeholder: '<hex64>' },
  { pattern: /(?<![0-9A-Za-z])[0-9a-f]{12}(?![0-9A-Za-z])/g, placeholder: '<hex12>' },
  // S3: RFC 3339 timestamps (Created, StartedAt, log prefixes) are when, not what; the zero time
  // is kept (ZERO_TIME is protected below) because it means "never".
  {
    pattern: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g,
    placeholder: '<time>',
  },
  // S4: human durations in `docker ps` statuses ("Up 3 seconds", "Exited (0) 2 minutes ago").
  {
    pattern:
      /\b(?:Less than a second|About a minute|About an hour|\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?))\b/g,
    placeholder: '<duration>',
  },
  // S5: a registry lookup fails the way the host's network makes it fail ("no such host", "server
  // misbehaving", "i/o timeout", via whichever resolver): the host and the lookup are the contract.
  {
    pattern: /(dial tcp: lookup [^\s"]+)(?: on [^\s"]+)?: [^"]*/g,
    placeholder: '$1: <dns failure>',
  },
];

export interface StringNormaliser {
  (text: string): string;
}

/** S1..S5 over one string. */
export function buildStringNormaliser(context: NormaliseContext): StringNormaliser {
  const substitutions = buildSubstitutions(context);
  return (text) => {
    let out = text;
    for (const { pattern, placeholder } of substitutions) out = out.replace(pattern, placeholder);
    if (out === ZERO_TIME) return out;
    for (const { pattern, placeholder } of GENERIC) out = out.replace(pattern, placeholder);
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// JSON

/**
 * JSON paths whose values the contract fixes; everything else is reduced to its key set and
 * value types. A pattern is anchored at the body root, `*` matches one segment, and a pattern
 * that matches an object or array keeps everything below it. Kept strings still go through S1..S5.
 */
export const KEPT_VALUES: readonly (readonly [pattern: string, why: string])[] = [
  ['message', 'DKR-3: the error text is the contract (names and IDs are placeholders)'],
  ['Id', 'DKR-8/17/20/23/25: which object was created or answered, as a placeholder'],
  ['*.Id', 'DKR-24/28: which objects a list holds, as placeholders'],
  ['ID', 'DKR-22: exec inspect names its exec'],
  ['Warnings', 'DKR-8: null or an array'],
  ['StatusCode', 'DKR-13: the exit status a wait reports'],
  ['Error', 'DKR-13: null or {Message}'],
  ['State.Status', 'DKR-17: the state machine'],
  ['State.Running', 'DKR-17'],
  ['State.Paused', 'DKR-17'],
  ['State.Restarting', 'DKR-17'],
  ['State.OOMKilled', 'DKR-17'],
  ['State.Dead', 'DKR-17'],
  ['State.ExitCode', 'DKR-17: exit codes pass through'],
  ['State.Error', 'DKR-17'],
  ['State.StartedAt', 'DKR-17: <time>, or the zero time for never'],
  ['State.FinishedAt', 'DKR-17: <time>, or the zero time for never'],
  ['Name', 'DKR-5/17: "/" + name'],
  ['Path', 'DKR-17: the process the container runs'],
  ['Args', 'DKR-17'],
  ['Image', 'DKR-17: the image ID (sha256:<hex64>)'],
  ['RestartCount', 'DKR-17'],
  ['ExecIDs', 'DKR-17: null or the exec placeholders'],
  ['Config.Cmd', 'DKR-8: what was asked for comes back'],
  ['Config.Entrypoint', 'DKR-8'],
  ['Config.Env', 'DKR-8/23: image env plus commit changes (ENV A=1)'],
  ['Config.Tty', 'DKR-8'],
  ['Config.OpenStdin', 'DKR-8'],
  ['Config.StdinOnce', 'DKR-8'],
  ['Config.AttachStdin', 'DKR-8'],
  ['Config.AttachStdout', 'DKR-8'],
  ['Config.AttachStderr', 'DKR-8'],
  ['Config.Labels', 'DKR-8'],
  ['Config.WorkingDir', 'DKR-8'],
  ['Config.Image', 'DKR-8: the reference as given'],
  ['Config.User', 'DKR-8'],
  ['*.Names', 'DKR-28: ["/name"]'],
  ['*.Image', 'DKR-28: the reference as given'],
  ['*.Command', 'DKR-28'],
  ['*.State', 'DKR-28: created/running/paused/exited'],
  ['*.Status', 'DKR-28: "Up <duration>", "Exited (N) <duration> ago"'],
  ['*.Labels', 'DKR-24/28'],
  ['RepoTags', 'DKR-25'],
  ['*.RepoTags', 'DKR-24'],
  ['RepoDigests', 'DKR-25: null or [] matters to clients'],
  ['*.RepoDigests', 'DKR-24'],
  ['*.Untagged', 'DKR-25: image delete report'],
  ['*.Deleted', 'DKR-25: image delete report'],
  ['Running', 'DKR-22'],
  ['ExitCode', 'DKR-22: null until the process has exited'],
  ['ProcessConfig', 'DKR-22'],
  ['OpenStdin', 'DKR-22'],
  ['OpenStdout', 'DKR-22'],
  ['OpenStderr', 'DKR-22'],
  ['CanRemove', 'DKR-22'],
  ['ContainerID', 'DKR-22: the placeholder of the container'],
  ['DetachKeys', 'DKR-22'],
  ['*.error', 'DKR-26: in-stream pull error'],
  ['*.errorDetail', 'DKR-26: in-stream pull error'],
];

/** X-Docker-Container-Path-Stat fields fixed by what the scenario wrote; mtime is a time. */
const KEPT_STAT: readonly string[] = ['name', 'size', 'mode', 'linkTarget'];

type Path = readonly string[];

function matchesFrom(pattern: readonly string[], path: Path, p: number, q: number): boolean {
  if (p === pattern.length) return true; // the pattern matched an ancestor (or the value itself)
  if (q === path.length) return false;
  const segment = pattern[p];
  if (segment === '**') return matchesFrom(pattern, path, p + 1, q) || matchesFrom(pattern, path, p, q + 1);
  return (segment === '*' || segment === path[q]) && matchesFrom(pattern, path, p + 1, q + 1);
}

export function matchesPath(pattern: string, path: Path): boolean {
  return matchesFrom(pattern.split('.'), path, 0, 0);
}

interface JsonPolicy {
  readonly kept: readonly string[];
  readonly shapeOnly: boolean;
  readonly text: StringNormaliser;
}

function typeOf(value: unknown): string {
  return `<${typeof value}>`;
}

/**
 * J1: a kept leaf keeps its value (strings through S1..S5); any other leaf becomes its type
 * (`<string>`, `<number>`, `<boolean>`); null stays null (null vs [] is visible to clients).
 * J2: objects keep their key sets; the comparison reports keys present on one side only.
 * J3: arrays keep their order and length, except in shape-only documents, where an array becomes
 * the set of its distinct element shapes (`$bag`): /info and /version list host-specific things.
 */
function normaliseJson(value: unknown, path: Path, policy: JsonPolicy, kept: boolean): Norm {
  const keep = kept || policy.kept.some((pattern) => matchesPath(pattern, path));
  if (value === null) return null;
  if (Array.isArray(value)) {
    const items = value.map((item, index) => normaliseJson(item, [...path, String(index)], policy, keep));
    if (!policy.shapeOnly) return items;
    const distinct = new Map(items.map((item) => [canonicalJson(item), item]));
    return { $bag: [...distinct.keys()].sort().map((key) => distinct.get(key) as Norm) };
  }
  if (typeof value === 'object') {
    const out: Record<string, Norm> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = normaliseJson((value as Record<string, unknown>)[key], [...path, key], policy, keep);
    }
    return out;
  }
  if (!keep) return typeOf(value);
  if (typeof value === 'string') return policy.text(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return typeOf(value);
}

/** Stable JSON with sorted keys, for sets and for printing. */
export function canonicalJson(value: Norm): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly Norm[]).map(canonicalJson).join(',')}]`;
  const object = value as { readonly [key: string]: Norm };
  return `{${Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as Norm)}`)
    .join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// Bodies

function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // B2: a progress stream (DKR-26) is one JSON document per line.
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    try {
      return { ok: true, value: lines.map((line) => JSON.parse(line) as unknown) };
    } catch {
      return { ok: false };
    }
  }
}

/**
 * B3: a stdcopy stream (DKR-18/19/21) is compared by its contents per stream, not by how the
 * daemon cut it into frames; a decoding error is recorded by its code.
 */
function normaliseStdcopy(body: Buffer, text: StringNormaliser): Norm {
  const decoder = createFrameDecoder({ mode: 'multiplexed' });
  const frames: Frame[] = [];
  let error: string | undefined;
  for (const result of [decoder.push(body), decoder.end()]) {
    frames.push(...result.frames);
    if (!result.ok) error ??= result.error.code;
    if (!result.ok) break;
  }
  const pick = (...streams: Frame['stream'][]): string =>
    text(
      Buffer.concat(
        frames.filter((frame) => streams.includes(frame.stream)).map((frame) => frame.payload),
      ).toString('utf8'),
    );
  const out: Record<string, Norm> = { stdout: pick('stdin', 'stdout'), stderr: pick('stderr') };
  const system = pick('system');
  if (system !== '') out.system = system;
  if (error !== undefined) out.decodeError = error;
  return out;
}

/** B4: a tar archive is its entries' names, types, sizes and (file) contents; modes and times go. */
function normaliseTar(body: Buffer, text: StringNormaliser): Norm {
  try {
    return parseTar(body).map((entry) => ({
      name: text(entry.name),
      type: entry.type,
      size: entry.size,
      ...(entry.type === 'file' ? { content: text(entry.content.toString('utf8')) } : {}),
    }));
  } catch (error) {
    return { tarError: (error as { code?: string }).code ?? 'unknown', bytes: body.length };
  }
}

function normaliseBody(observation: Observation, policy: JsonPolicy): Norm {
  const body = observation.body ?? Buffer.alloc(0);
  // B1: an error answer (and any non-success) is decoded as JSON or text whatever the step
  // expected, so a 404 on an attach compares as the error it is.
  const success = observation.status === undefined || observation.status === 101 || observation.status < 300;
  const decode = success ? observation.decode : 'auto';
  if (decode === 'stdcopy') return normaliseStdcopy(body, policy.text);
  if (decode === 'tty') return { $tty: policy.text(body.toString('utf8')) };
  if (decode === 'tar') return normaliseTar(body, policy.text);
  if (body.length === 0) return '';
  const text = body.toString('utf8');
  const parsed = parseJsonBody(text);
  // B5: anything else is text (the /_ping "OK", a plain-text version error), through S1..S5.
  if (!parsed.ok) return { $text: policy.text(text) };
  return normaliseJson(parsed.value, [], policy, false);
}

// ---------------------------------------------------------------------------------------------
// Heads

/**
 * H1: the headers clients rely on, and nothing else (Date, Content-Length and Transfer-Encoding
 * vary or are covered by `framing`). A header absent on one side is a key-set difference.
 */
const COMPARED_HEADERS = [
  'content-type',
  'api-version',
  'docker-experimental',
  'ostype',
  'server',
  'upgrade',
  'connection',
  'cache-control',
  'pragma',
  'location',
  'x-docker-container-path-stat',
] as const;

function normaliseHeader(name: string, value: string, text: StringNormaliser): Norm {
  switch (name) {
    // H2: connection options are case-insensitive tokens (RFC 9110 §7.6.1).
    case 'connection':
      return value.toLowerCase();
    // H3: only the product and OS of Server matter; the version is the daemon's own.
    case 'server':
      return value.replace(/^Docker\/\S+/, 'Docker/<version>');
    // H4: the path stat (DKR-27) is base64 JSON: compared as JSON, with KEPT_STAT values.
    case 'x-docker-container-path-stat': {
      try {
        const decoded = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
        return normaliseJson(decoded, [], { kept: KEPT_STAT, shapeOnly: false, text }, false);
      } catch {
        return '<undecodable>';
      }
    }
    default:
      return text(value);
  }
}

function normaliseHeaders(headers: HeaderList, text: StringNormaliser): Norm {
  const out: Record<string, Norm> = {};
  for (const name of COMPARED_HEADERS) {
    const value = getHeader(headers, name);
    if (value !== undefined) out[name] = normaliseHeader(name, value, text);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * The comparable record of one step: status and reason phrase (R1: "101 UPGRADED" is what the
 * CLI sees), the compared headers, the framing, the decoded body, and the client-side error code
 * if the step failed. A held step records only its head, its release only the body.
 */
export function normaliseAnswer(
  observation: Observation,
  context: NormaliseContext,
  options: NormaliseOptions = {},
): Norm {
  const text = buildStringNormaliser(context);
  const policy: JsonPolicy = {
    // Shape-only documents keep only the values their step names.
    kept: [...(options.shapeOnly ? [] : KEPT_VALUES.map(([pattern]) => pattern)), ...(options.keep ?? [])],
    shapeOnly: options.shapeOnly ?? false,
    text,
  };
  const record: Record<string, Norm> = {};
  if (observation.error !== undefined) record.error = observation.error;
  if (observation.facts) Object.assign(record, observation.facts);
  if (observation.part !== 'body') {
    if (observation.status !== undefined) record.status = observation.status;
    if (observation.reason !== undefined) record.reason = observation.reason;
    if (observation.headers) record.headers = normaliseHeaders(observation.headers, text);
    if (observation.framing) record.framing = observation.framing;
  }
  if (observation.part !== 'head' && observation.body !== undefined)
    record.body = normaliseBody(observation, policy);
  return record;
}
