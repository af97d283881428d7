import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { InvalidScenarioError, RawClientTimeoutError } from './errors.js';
import { expandJson, expandTemplate, type TemplateScope } from './expand-template.js';
import { normaliseAnswer, type Norm, type Observation } from './normalise-answer.js';
import {
  openRawConnection,
  rawExchange,
  type RawBody,
  type RawConnection,
  type RawRequest,
  type RawResponse,
} from './raw-connection.js';
import {
  FIDELITY_REPO,
  FIDELITY_RUN_LABEL,
  stepKind,
  type BodyDecoding,
  type HijackStep,
  type NormaliseOptions,
  type ReleaseStep,
  type RequestSpec,
  type RequestStep,
  type Scenario,
  type SharedPrefixStep,
  type Step,
} from './scenario.js';
import { buildTar } from './tar-archive.js';

const API = '/v1.41';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_HEAD_TIMEOUT_MS = 3_000;
/** A held long-poll may stay open across many steps; its release step bounds the wait. */
const HELD_MAX_MS = 120_000;

export interface StepResult {
  readonly step: string;
  readonly kind: ReturnType<typeof stepKind>;
  /** Status the scenario expects from the reference daemon. */
  readonly expect?: number;
  /** Status this daemon answered (undefined for releases and client-side failures). */
  readonly status?: number;
  readonly observation: Observation;
  /** The normalised, comparable record. */
  readonly record: Norm;
}

export interface ScenarioRun {
  readonly scenario: string;
  /** This run's prefix (container names, labels, image repositories). */
  readonly run: string;
  readonly steps: readonly StepResult[];
  /** What the sweep could not remove (empty when everything was cleaned up). */
  readonly cleanupErrors: readonly string[];
}

export interface RunScenarioOptions {
  /** Run prefix; default `fid<6 hex>`. Unique per run and per daemon. */
  readonly run?: string;
  readonly timeoutMs?: number;
}

/** A fresh run prefix: lower-case (image repositories), a valid container-name start. */
export function newRunPrefix(): string {
  return `fid${randomBytes(3).toString('hex')}`;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERR_FIDELITY_UNEXPECTED';
}

/** Rejects release steps of nothing held and duplicate names before anything is sent. */
export function assertValidScenario(scenario: Scenario): void {
  const names = new Set<string>();
  const holds = new Set<string>();
  for (const step of scenario.steps) {
    if (names.has(step.name))
      throw new InvalidScenarioError(scenario.name, `duplicate step name "${step.name}"`);
    names.add(step.name);
    if (step.kind === 'release') {
      if (!holds.delete(step.of))
        throw new InvalidScenarioError(
          scenario.name,
          `step "${step.name}" releases "${step.of}", which is not held`,
        );
    } else if (step.kind !== 'shared-prefix' && step.hold !== undefined) {
      if (holds.has(step.hold)) throw new InvalidScenarioError(scenario.name, `"${step.hold}" is held twice`);
      holds.add(step.hold);
    }
  }
  if (holds.size > 0)
    throw new InvalidScenarioError(scenario.name, `never released: ${[...holds].join(', ')}`);
}

function readPath(value: unknown, path: string): unknown {
  let at = value;
  for (const segment of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}

function parseJson(bytes: Buffer | undefined): unknown {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Request headers as the docker CLI sends them (5.1, 5.3): Host, User-Agent, then the body's. */
function buildRequest(
  spec: RequestSpec,
  scope: TemplateScope,
  used: Set<string>,
  upgrade = false,
): RawRequest {
  const path = expandTemplate(spec.path, scope, used);
  const query = new URLSearchParams(
    Object.entries(spec.query ?? {}).map(([key, value]): [string, string] => [
      key,
      typeof value === 'object'
        ? JSON.stringify(expandJson(value, scope, used))
        : expandTemplate(String(value), scope, used),
    ]),
  ).toString();
  const headers: [string, string][] = [
    ['Host', 'api.moby.localhost'],
    ['User-Agent', 'berth-fidelity/1'],
  ];
  let body: Buffer | undefined;
  if (spec.json !== undefined) {
    body = Buffer.from(JSON.stringify(expandJson(spec.json, scope, used)));
    headers.push(['Content-Type', 'application/json']);
  } else if (typeof spec.body === 'string') {
    body = Buffer.from(expandTemplate(spec.body, scope, used));
    headers.push(['Content-Type', 'text/plain']);
  } else if (spec.body) {
    body = buildTar(
      spec.body.tar.map((entry) => ({
        name: expandTemplate(entry.name, scope, used),
        content: Buffer.from(expandTemplate(entry.content, scope, used)),
        ...(entry.mode === undefined ? {} : { mode: entry.mode }),
      })),
    );
    headers.push(['Content-Type', 'application/x-tar']);
  }
  if (body && spec.chunked) headers.push(['Transfer-Encoding', 'chunked']);
  else if (body) headers.push(['Content-Length', String(body.length)]);
  // 5.3.7: the CLI sends Content-Length: 0 on bodyless POSTs.
  else if (spec.method === 'POST' || spec.method === 'PUT') headers.push(['Content-Length', '0']);
  if (upgrade) headers.push(['Connection', 'Upgrade'], ['Upgrade', 'tcp']);
  for (const [name, value] of spec.headers ?? []) {
    const at = headers.findIndex(([existing]) => existing.toLowerCase() === name.toLowerCase());
    const expanded = expandTemplate(value, scope, used);
    if (at >= 0) headers[at] = [name, expanded];
    else headers.push([name, expanded]);
  }
  return {
    method: spec.method,
    target: query === '' ? path : `${path}?${query}`,
    headers,
    ...(body ? { body } : {}),
    ...(spec.chunked ? { chunked: true } : {}),
  };
}

function observe(
  part: Observation['part'],
  method: string,
  decode: BodyDecoding,
  response: RawResponse | undefined,
  body: RawBody | undefined,
): Observation {
  return {
    part,
    method,
    decode,
    ...(response
      ? {
          status: response.head.status,
          reason: response.head.reason,
          headers: response.head.headers,
          framing: response.framing,
        }
      : {}),
    ...(body ? { body: body.bytes } : {}),
  };
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof PENDING> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<typeof PENDING>((resolve) => (timer = setTimeout(() => resolve(PENDING), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
const PENDING = Symbol('pending');

interface Held {
  readonly connection: RawConnection;
  readonly method: string;
  readonly decode: BodyDecoding;
  readonly head: Promise<Settled<RawResponse>>;
  readonly body: Promise<Settled<{ response: RawResponse; body: RawBody }>>;
}

/** Runs one scenario on one daemon, then sweeps what it created; never throws for a daemon's answer. */
export async function runScenario(
  socketPath: string,
  scenario: Scenario,
  options: RunScenarioOptions = {},
): Promise<ScenarioRun> {
  assertValidScenario(scenario);
  const run = options.run ?? newRunPrefix();
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const vars = new Map<string, string>();
  const scope: TemplateScope = { run, vars };
  const held = new Map<string, Held>();
  const connections = new Map<string, RawConnection>();
  const raw: { step: Step; observation: Observation; used: Set<string> }[] = [];
  const cleanupErrors: string[] = [];

  const capture = (step: Step, observation: Observation): void => {
    if (step.kind === 'shared-prefix' || !step.capture) return;
    if (observation.status !== undefined && observation.status >= 300) return;
    const json = parseJson(observation.body);
    for (const [name, path] of Object.entries(step.capture)) {
      const value = readPath(json, path);
      if (typeof value === 'string' || typeof value === 'number') vars.set(name, String(value));
    }
  };

  const connectionFor = async (name: string | undefined, timeoutMs: number): Promise<RawConnection> => {
    if (name === undefined) return openRawConnection(socketPath, { timeoutMs });
    const existing = connections.get(name);
    if (existing && !existing.ended) return existing;
    const opened = await openRawConnection(socketPath, { timeoutMs });
    connections.set(name, opened);
    return opened;
  };
  const release = async (
    name: string | undefined,
    connection: RawConnection,
    reusable: boolean,
  ): Promise<void> => {
    if (name !== undefined && reusable && !connection.ended) return;
    if (name !== undefined) connections.delete(name);
    await connection.close();
  };

  async function runRequest(step: RequestStep | HijackStep, used: Set<string>): Promise<Observation> {
    const hijack = step.kind === 'hijack';
    const timeoutMs = step.timeoutMs ?? defaultTimeout;
    const decode: BodyDecoding = hijack ? step.stream : (step.decode ?? 'auto');
    const request = buildRequest(step, scope, used, hijack && step.upgrade);
    const connection = await connectionFor(step.connection, timeoutMs);

    if (step.hold !== undefined) {
      const head = settle(connection.send(request, { timeoutMs: HELD_MAX_MS }));
      const body = head.then(async (sent) => {
        if (!sent.ok) return sent;
        return settle(
          connection
            .readBody(sent.value, { timeoutMs: HELD_MAX_MS })
            .then((bytes) => ({ response: sent.value, body: bytes })),
        );
      });
      held.set(step.hold, { connection, method: request.method, decode, head, body });
      if (step.connection !== undefined) connections.delete(step.connection);
      const arrived = await within(head, step.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS);
      if (arrived === PENDING)
        return { part: 'head', method: request.method, decode, error: 'ERR_FIDELITY_HEAD_PENDING' };
      if (!arrived.ok) return { part: 'head', method: request.method, decode, error: codeOf(arrived.error) };
      return observe('head', request.method, decode, arrived.value, undefined);
    }

    let reusable = true;
    try {
      const response = await connection.send(request, { timeoutMs });
      const streaming = response.framing === 'hijack' || response.framing === 'close';
      if (hijack && streaming) {
        if (step.stdin !== undefined) connection.write(Buffer.from(expandTemplate(step.stdin, scope, used)));
        if (step.halfClose) connection.halfClose();
      }
      reusable = !streaming;
      const body = await connection.readBody(response, { timeoutMs });
      return observe('full', request.method, decode, response, body);
    } catch (error) {
      reusable = false;
      return { part: 'full', method: request.method, decode, error: codeOf(error) };
    } finally {
      await release(step.connection, connection, reusable);
    }
  }

  async function runRelease(step: ReleaseStep, used: Set<string>): Promise<Observation> {
    const entry = held.get(step.of);
    // The held step failed before it was sent (connect refused, missing variable).
    if (!entry) return { part: 'body', method: 'POST', decode: 'auto', error: 'ERR_FIDELITY_NOT_HELD' };
    held.delete(step.of);
    const timeoutMs = step.timeoutMs ?? defaultTimeout;
    try {
      const head = await within(entry.head, timeoutMs);
      if (head === PENDING)
        return { part: 'body', method: entry.method, decode: entry.decode, error: 'ERR_FIDELITY_TIMEOUT' };
      if (!head.ok)
        return { part: 'body', method: entry.method, decode: entry.decode, error: codeOf(head.error) };
      if (step.stdin !== undefined)
        entry.connection.write(Buffer.from(expandTemplate(step.stdin, scope, used)));
      if (step.halfClose) entry.connection.halfClose();
      const done = await within(entry.body, timeoutMs);
      if (done === PENDING)
        return {
          part: 'body',
          method: entry.method,
          decode: entry.decode,
          error: new RawClientTimeoutError('held body', timeoutMs).code,
        };
      if (!done.ok)
        return { part: 'body', method: entry.method, decode: entry.decode, error: codeOf(done.error) };
      return observe('body', entry.method, entry.decode, done.value.response, done.value.body);
    } finally {
      await entry.connection.close();
    }
  }

  async function runSharedPrefix(step: SharedPrefixStep, used: Set<string>): Promise<Observation> {
    const seen = new Map<string, string>();
    const max = step.max ?? 17;
    const timeoutMs = step.timeoutMs ?? defaultTimeout;
    let last: Observation = { part: 'full', method: 'POST', decode: 'auto', error: 'ERR_FIDELITY_NOT_RUN' };
    for (let attempt = 0; attempt < max; attempt += 1) {
      const request = buildRequest({ method: 'POST', path: step.path, json: step.json }, scope, used);
      try {
        const answer = await rawExchange(socketPath, request, { timeoutMs });
        last = observe('full', 'POST', 'auto', answer, answer);
      } catch (error) {
        return { ...last, error: codeOf(error), facts: { sharedPrefix: false } };
      }
      const id = readPath(parseJson(last.body), 'Id');
      if (last.status !== 201 || typeof id !== 'string' || id === '')
        return { ...last, facts: { sharedPrefix: false } };
      const first = id.slice(0, 1);
      if (seen.has(first)) {
        vars.set(step.capture, first);
        return { ...last, facts: { sharedPrefix: true } };
      }
      seen.set(first, id);
    }
    return { ...last, facts: { sharedPrefix: false } };
  }

  try {
    for (const step of scenario.steps) {
      const used = new Set<string>();
      let observation: Observation;
      try {
        if (step.kind === 'release') observation = await runRelease(step, used);
        else if (step.kind === 'shared-prefix') observation = await runSharedPrefix(step, used);
        else observation = await runRequest(step, used);
      } catch (error) {
        // A missing variable (an earlier step failed) or a refused connection: recorded, not thrown.
        observation = {
          part: 'full',
          method: 'method' in step ? step.method : 'POST',
          decode: 'auto',
          error: codeOf(error),
        };
      }
      capture(step, observation);
      raw.push({ step, observation, used });
    }
  } finally {
    for (const entry of held.values()) await entry.connection.close();
    held.clear();
    for (const connection of connections.values()) await connection.close();
    connections.clear();
    // Also when a step threw: nothing the run created may stay behind.
    cleanupErrors.push(...(await sweep(socketPath, run, defaultTimeout)));
  }

  // Normalised last, so that every step sees every value the run captured.
  const steps = raw.map(({ step, observation, used }): StepResult => {
    const normalise: NormaliseOptions = step.normalise ?? {};
    return {
      step: step.name,
      kind: stepKind(step),
      ...(step.expect === undefined ? {} : { expect: step.expect }),
      ...(observation.part !== 'body' && observation.status !== undefined
        ? { status: observation.status }
        : {}),
      observation,
      record: normaliseAnswer(observation, { run, vars, used }, normalise),
    };
  });
  return { scenario: scenario.name, run, steps, cleanupErrors };
}

/**
 * Removes what the run created, and only that: containers carrying this run's label (checked
 * again client-side, so a daemon that ignores filters cannot lose anything else), then images
 * tagged in this run's repositories.
 */
export async function sweep(
  socketPath: string,
  run: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<string[]> {
  const errors: string[] = [];
  const call = async (method: string, target: string): Promise<{ status: number; json: unknown }> => {
    const answer = await rawExchange(
      socketPath,
      {
        method,
        target: `${API}${target}`,
        headers: [
          ['Host', 'api.moby.localhost'],
          ['User-Agent', 'berth-fidelity/1'],
          ...(method === 'POST' ? ([['Content-Length', '0']] as const) : []),
        ],
      },
      { timeoutMs },
    );
    return { status: answer.head.status, json: parseJson(answer.bytes) };
  };
  const filters = (value: object): string => encodeURIComponent(JSON.stringify(value));
  try {
    const listed = await call(
      'GET',
      `/containers/json?all=1&filters=${filters({ label: [`${FIDELITY_RUN_LABEL}=${run}`] })}`,
    );
    const containers = Array.isArray(listed.json)
      ? (listed.json as { Id?: unknown; Labels?: Record<string, unknown> }[])
      : [];
    for (const container of containers) {
      if (container.Labels?.[FIDELITY_RUN_LABEL] !== run || typeof container.Id !== 'string') continue;
      const removed = await call('DELETE', `/containers/${container.Id}?force=1&v=1`);
      if (removed.status !== 204 && removed.status !== 404)
        errors.push(`container ${container.Id}: ${removed.status}`);
    }
  } catch (error) {
    errors.push(`containers: ${codeOf(error)}`);
  }
  try {
    const repo = `${FIDELITY_REPO}/${run}-`;
    const listed = await call('GET', `/images/json?filters=${filters({ reference: [`${repo}*`] })}`);
    const images = Array.isArray(listed.json) ? (listed.json as { RepoTags?: unknown }[]) : [];
    for (const image of images) {
      const tags = Array.isArray(image.RepoTags)
        ? image.RepoTags.filter((tag): tag is string => typeof tag === 'string')
        : [];
      for (const tag of tags.filter((name) => name.startsWith(repo))) {
        const removed = await call('DELETE', `/images/${tag}?force=1`);
        if (removed.status !== 200 && removed.status !== 404) errors.push(`image ${tag}: ${removed.status}`);
      }
    }
  } catch (error) {
    errors.push(`images: ${codeOf(error)}`);
  }
  return errors;
}
