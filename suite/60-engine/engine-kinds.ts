import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, type ExpectStatic } from 'vitest';
import type { ClauseContext } from '../harness/clause.js';
import { createFrameDecoder } from '../../protocol/stdcopy-decoder.js';
import { useLeakCheck } from '../support/leak-check.js';
import { eventually } from '../support/poll.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import { getTarget } from '../harness/current-target.js';
import type { Target } from '../targets/target.js';
import { EngineClient, type Exchange, type Reply, type RequestSpec } from './engine-client.js';

type EngineFacet = NonNullable<Target['engine']>;
export type EngineSession = Awaited<ReturnType<EngineFacet['open']>>;
type TestHooks = Pick<ClauseContext, 'onTestFinished'>;

/** Every clause of the area gets this much time: a real daemon's commit or restart takes seconds. */
export const ENGINE_TIMEOUT = { timeoutMs: 30_000 };

export interface ContainerSpec {
  /** Part of the container's name (the session adds its prefix and a counter). */
  readonly hint?: string;
  readonly cmd?: readonly string[];
  readonly tty?: boolean;
  /** Keep stdin open for attach (OpenStdin, AttachStdin, StdinOnce). */
  readonly stdin?: boolean;
  readonly image?: string;
  /** More fields of the create body. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

interface Cleanup {
  readonly containers: Set<string>;
  readonly images: Set<string>;
  untagged: boolean;
}

export interface Created {
  readonly id: string;
  readonly name: string;
}

/** A container ID: 64 lower-case hex characters (DKR-5). */
export const CONTAINER_ID = /^[0-9a-f]{64}$/;

/** Versions compare numerically by component (1.9 < 1.41). */
export function apiAtLeast(version: string, wanted: string): boolean {
  const a = version.split('.').map(Number);
  const b = wanted.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/** DKR-18/19/21: multiplexed-stream without a TTY from API 1.42, raw-stream otherwise. */
export function streamType(apiVersion: string, tty: boolean): string {
  return !tty && apiAtLeast(apiVersion, '1.42') ? MULTIPLEXED_STREAM : RAW_STREAM;
}

/**
 * The head of a hijack (DKR-19/21): 101 with Connection: Upgrade, Upgrade: tcp and the stream's
 * Content-Type when the client asked to upgrade; 200 raw-stream when it did not.
 */
export function expectHijackHead(
  expect: ExpectStatic,
  exchange: Exchange,
  upgrade: boolean,
  type: string,
): void {
  if (upgrade) {
    expect(exchange.head.status, 'status of the hijack asked to upgrade').toBe(101);
    expect(exchange.header('connection')?.toLowerCase(), 'Connection of the 101').toBe('upgrade');
    expect(exchange.header('upgrade'), 'Upgrade of the 101').toBe('tcp');
    expect(exchange.header('content-type'), 'Content-Type of the 101').toBe(type);
  } else {
    expect(exchange.head.status, 'status of the hijack without Upgrade').toBe(200);
    expect(exchange.header('content-type'), 'Content-Type of the 200 hijack').toBe(RAW_STREAM);
  }
}

/** One decoded stdcopy frame as text. */
export interface TextFrame {
  readonly stream: 'stdin' | 'stdout' | 'stderr' | 'system';
  readonly text: string;
}

/**
 * Decodes a whole stdcopy body (DKR-18) into frames; a clause violation naming the offset when
 * the bytes are not stdcopy frames.
 */
export function decodeStdcopy(bytes: Buffer, what: string): TextFrame[] {
  const decoder = createFrameDecoder({ mode: 'multiplexed' });
  const pushed = decoder.push(bytes);
  const ended = pushed.ok ? decoder.end() : pushed;
  if (!ended.ok) {
    throw new ClauseViolationError(`${what} is not a stdcopy stream: ${ended.error.message}`);
  }
  return [...pushed.frames, ...ended.frames].map((frame) => ({
    stream: frame.stream,
    text: frame.payload.toString('utf8'),
  }));
}

/** The payloads of one stream's frames, in order. */
export function framesOf(frames: readonly TextFrame[], stream: TextFrame['stream']): string[] {
  return frames.filter((frame) => frame.stream === stream).map((frame) => frame.text);
}

/** One Docker Engine API endpoint of one kind, opened for a spec file, with container helpers. */
export class Engine {
  readonly kind: string;
  readonly session: EngineSession;
  readonly client: EngineClient;
  /** Set before the first clause runs (describeEngineKinds). */
  bystander!: Bystander;
  #box: Promise<Created> | undefined;
  /** What to remove after each test; the test's onTestFinished identifies it. */
  readonly #batches = new WeakMap<TestHooks['onTestFinished'], Cleanup>();

  constructor(kind: string, session: EngineSession, client: EngineClient) {
    this.kind = kind;
    this.session = session;
    this.client = client;
  }

  request(spec: RequestSpec, timeoutMs?: number): Promise<Reply> {
    return this.client.request(spec, timeoutMs);
  }

  /**
   * A create body as the CLI builds it, labelled for the session, with NetworkMode none (a real
   * daemon in a sandbox may have no bridge network).
   */
  createBody(spec: ContainerSpec = {}): Record<string, unknown> {
    return {
      Image: spec.image ?? this.session.baseImage,
      ...(spec.cmd === undefined ? {} : { Cmd: spec.cmd }),
      Tty: spec.tty ?? false,
      OpenStdin: spec.stdin ?? false,
      StdinOnce: spec.stdin ?? false,
      AttachStdin: spec.stdin ?? false,
      AttachStdout: true,
      AttachStderr: true,
      Labels: this.session.labels,
      HostConfig: { NetworkMode: 'none' },
      ...spec.extra,
    };
  }

  /** Creates a container (201 or a clause violation) and removes it after the test. */
  async create(hooks: TestHooks, spec: ContainerSpec = {}): Promise<Created> {
    const name = this.session.name(spec.hint ?? 'c');
    const reply = await this.request({
      method: 'POST',
      path: '/containers/create',
      query: { name },
      json: this.createBody(spec),
    });
    if (reply.status !== 201) {
      throw new ClauseViolationError(
        `container create answered ${reply.status} ${reply.text.trim()}, expected 201`,
      );
    }
    const id = reply.json<{ Id: string }>().Id;
    this.removeAfter(hooks, id);
    return { id, name };
  }

  /** Creates and starts a container (204 or a clause violation); removed after the test. */
  async run(hooks: TestHooks, spec: ContainerSpec = {}): Promise<Created> {
    const created = await this.create(hooks, spec);
    await this.expectStatus({ method: 'POST', path: `/containers/${created.id}/start` }, 204);
    return created;
  }

  /** Sends a request whose status a clause takes for granted; a clause violation otherwise. */
  async expectStatus(spec: RequestSpec, status: number): Promise<Reply> {
    const reply = await this.request(spec);
    if (reply.status !== status) {
      throw new ClauseViolationError(
        `${spec.method} ${spec.path} answered ${reply.status} ${reply.text.trim()}, expected ${status}`,
      );
    }
    return reply;
  }

  #cleanup(hooks: TestHooks): Cleanup {
    let batch = this.#batches.get(hooks.onTestFinished);
    if (batch === undefined) {
      const created: Cleanup = { containers: new Set(), images: new Set(), untagged: false };
      this.#batches.set(hooks.onTestFinished, created);
      hooks.onTestFinished(() => this.#clean(created));
      batch = created;
    }
    return batch;
  }

  /** Containers first (force, in parallel), then images (a container may use one). */
  async #clean(batch: Cleanup): Promise<void> {
    const quietly = (spec: RequestSpec): Promise<unknown> => this.request(spec).catch(() => undefined);
    await Promise.all(
      [...batch.containers].map((id) =>
        quietly({ method: 'DELETE', path: `/containers/${id}`, query: { force: true, v: true } }),
      ),
    );
    // One at a time: two tags of one image removed at once could each see the other and only
    // untag, leaving the image behind. A reference to an image with other tags only untags it.
    for (const ref of [...batch.images].reverse()) {
      await quietly({ method: 'DELETE', path: `/images/${ref}`, query: { force: true } });
    }
    if (batch.untagged) await this.#removeUntagged();
  }

  /** Removes a container (force) after the test, whatever happened. */
  removeAfter(hooks: TestHooks, id: string): void {
    this.#cleanup(hooks).containers.add(id);
  }

  /** Removes an image reference after the test, whatever happened. */
  removeImageAfter(hooks: TestHooks, ref: string): void {
    this.#cleanup(hooks).images.add(ref);
  }

  /**
   * A running container (`sleep`) shared by the clauses of this file that only need somewhere to
   * exec, commit or copy; the file's cleanup check sweeps it.
   */
  sharedBox(): Promise<Created> {
    this.#box ??= (async () => {
      const name = this.session.name('box');
      const reply = await this.expectStatus(
        {
          method: 'POST',
          path: '/containers/create',
          query: { name },
          json: this.createBody({ cmd: ['sleep', '3600'] }),
        },
        201,
      );
      const id = reply.json<{ Id: string }>().Id;
      await this.expectStatus({ method: 'POST', path: `/containers/${id}/start` }, 204);
      return { id, name };
    })();
    const box = this.#box;
    box.catch(() => {
      if (this.#box === box) this.#box = undefined;
    });
    return box;
  }

  /** The shared box's ID, if a clause started it. */
  async sharedBoxId(): Promise<string | undefined> {
    return (await this.#box?.catch(() => undefined))?.id;
  }

  /**
   * A created, never started container (command `true`) that the session did not label: the
   * area's bystander. Clauses may look it up or hold its name, never change it.
   */
  get idle(): Created {
    return { id: this.bystander.id, name: this.bystander.name };
  }

  /**
   * Removes, after the test, every untagged image that carries the session's label: dockerd
   * (20.10 at least) commits the image before it tags it, so a commit whose tag is refused leaves
   * an untagged image of the container behind.
   */
  removeUntaggedAfter(hooks: TestHooks): void {
    this.#cleanup(hooks).untagged = true;
  }

  async #removeUntagged(): Promise<void> {
    const [key, value] = Object.entries(this.session.labels)[0] ?? [];
    const reply = await this.request({ method: 'GET', path: '/images/json', query: { all: true } }).catch(
      () => undefined,
    );
    if (key === undefined || reply?.status !== 200) return;
    const images =
      reply.json<{ Id: string; Labels?: Record<string, string> | null; RepoTags?: string[] | null }[]>();
    for (const image of images) {
      const tags = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
      if (image.Labels?.[key] !== value || tags.length > 0) continue;
      await this.request({ method: 'DELETE', path: `/images/${image.Id}` }).catch(() => undefined);
    }
  }

  async inspect(id: string): Promise<Record<string, unknown>> {
    const reply = await this.expectStatus({ method: 'GET', path: `/containers/${id}/json` }, 200);
    return reply.json<Record<string, unknown>>();
  }

  async state(id: string): Promise<Record<string, unknown>> {
    return (await this.inspect(id)).State as Record<string, unknown>;
  }

  /** Waits for the container to stop (POST wait) and resolves with its exit code. */
  async waitExit(id: string): Promise<number> {
    const reply = await this.expectStatus({ method: 'POST', path: `/containers/${id}/wait` }, 200);
    return reply.json<{ StatusCode: number }>().StatusCode;
  }

  /** Polls the container's state until `condition` holds (a clause violation after `timeoutMs`). */
  async until(
    id: string,
    condition: (state: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    return eventually(() => this.state(id), {
      description: what,
      accept: condition,
      timeoutMs,
      intervalMs: 50,
      failAs: 'violation',
    });
  }
}

/**
 * Checks the Docker error shape (DKR-3) of a reply: `status`, Content-Type application/json and a
 * string `message`; resolves with the message.
 */
export function expectError(
  expect: ExpectStatic,
  reply: Reply,
  status: number | readonly number[],
  what: string,
): string {
  const statuses = typeof status === 'number' ? [status] : status;
  expect(statuses, `${what}: status (body ${reply.text.trim()})`).toContain(reply.status);
  expect(reply.header('content-type') ?? '(none)', `${what}: Content-Type of the error`).toMatch(
    /^application\/json\b/,
  );
  const message = reply.json<{ message?: unknown }>().message;
  expect(typeof message, `${what}: the error body's "message"`).toBe('string');
  return message as string;
}

/** What a spec body gets for one engine kind. */
export interface EngineHandle {
  readonly kind: string;
  /** The engine of this file and kind (disabled when the target has no engine facet). */
  readonly get: (context: Pick<ClauseContext, 'use' | 'onTestFinished'>) => Engine;
}

/** GET /_ping (unversioned) and the API version the endpoint announces, as the CLI negotiates it. */
async function negotiate(session: EngineSession, kind: string): Promise<EngineClient> {
  const probe = new EngineClient(session.address, `${kind} engine`, '');
  const ping = await probe.request({ method: 'GET', path: '/_ping', raw: true });
  const version = ping.header('api-version');
  if (ping.status !== 200 || version === undefined || !/^\d+\.\d+$/.test(version)) {
    throw new ClauseViolationError(
      `GET /_ping on the ${kind} engine answered ${ping.status} with Api-Version ${String(version)}; the area needs 200 and a version`,
    );
  }
  return new EngineClient(session.address, `${kind} engine`, version);
}

/**
 * What the run did not create, as far as the session knows: a container without the session's
 * label and a tag of the base image outside its prefix. The sweep at the end of the file must
 * spare both. The container (created, never started, command `true`) is also what clauses use
 * when they only need some container to look at: `Engine.idle`.
 */
export interface Bystander {
  readonly id: string;
  readonly name: string;
  readonly tag: string;
}

async function plantBystander(engine: Engine): Promise<Bystander> {
  const id = randomBytes(4).toString('hex');
  const name = `berth-bystander-${id}`;
  const repo = `berth-bystander-${id}/keep`;
  const [created] = await Promise.all([
    engine.expectStatus(
      {
        method: 'POST',
        path: '/containers/create',
        query: { name },
        json: { ...engine.createBody({ cmd: ['true'] }), Labels: { 'dev.berth.bystander': id } },
      },
      201,
    ),
    engine.expectStatus(
      { method: 'POST', path: `/images/${engine.session.baseImage}/tag`, query: { repo, tag: '1' } },
      201,
    ),
  ]);
  return { id: created.json<{ Id: string }>().Id, name, tag: `${repo}:1` };
}

/**
 * The area's end-of-file check on one engine: nothing of the session is left but the shared box;
 * the sweep then removes the box (or a labelled decoy) and a tag under the prefix, while the
 * bystander and the base image survive it.
 */
async function checkCleanup(engine: Engine): Promise<void> {
  const { session, bystander } = engine;
  try {
    const box = await engine.sharedBoxId();
    expect(
      await session.leftovers(),
      `what the ${engine.kind} engine session left (${session.description})`,
    ).toEqual({
      containers: box === undefined ? [] : [box],
      images: [],
    });
    const decoyTag = `${session.imagePrefix}decoy:1`;
    const [decoy] = await Promise.all([
      box ??
        engine
          .expectStatus(
            {
              method: 'POST',
              path: '/containers/create',
              query: { name: session.name('decoy') },
              json: engine.createBody({ cmd: ['true'] }),
            },
            201,
          )
          .then((reply) => reply.json<{ Id: string }>().Id),
      engine.expectStatus(
        {
          method: 'POST',
          path: `/images/${session.baseImage}/tag`,
          query: { repo: `${session.imagePrefix}decoy`, tag: '1' },
        },
        201,
      ),
    ]);
    const swept = await session.sweep();
    expect(swept, 'the sweep removes what carries the session label or prefix').toEqual({
      containers: [decoy],
      images: [decoyTag],
    });
    const status = async (path: string): Promise<number> =>
      (await engine.request({ method: 'GET', path })).status;
    const [base, container, tag] = await Promise.all([
      status(`/images/${session.baseImage}/json`),
      status(`/containers/${bystander.id}/json`),
      status(`/images/${bystander.tag}/json`),
    ]);
    expect(base, 'the base image after the sweep').toBe(200);
    expect(container, 'a container the session did not label, after the sweep').toBe(200);
    expect(tag, 'a tag outside the session prefix, after the sweep').toBe(200);
  } finally {
    await Promise.all([
      engine
        .request({ method: 'DELETE', path: `/containers/${bystander.id}`, query: { force: true } })
        .catch(() => undefined),
      engine.request({ method: 'DELETE', path: `/images/${bystander.tag}` }).catch(() => undefined),
    ]);
    await session[Symbol.asyncDispose]();
  }
}

/**
 * Runs `body` once per engine kind the target offers (the reference target: `simulated` and
 * `proxied`; the docker target: `real` and `proxied`), each block with its own session opened
 * before its first clause. A target without the engine facet gets one block whose clauses are
 * disabled. Every test must leave no socket open, and after the file nothing of the session may
 * remain while what the session did not create survives (checkCleanup).
 */
export function describeEngineKinds(title: string, body: (handle: EngineHandle) => void): void {
  const facet = getTarget().engine;
  for (const kind of facet?.kinds ?? ['no engine']) {
    describe(`${title} (${kind})`, () => {
      let engine: Engine | undefined;
      beforeAll(async () => {
        if (facet === undefined) return;
        const session = await facet.open(kind);
        try {
          const opened = new Engine(kind, session, await negotiate(session, kind));
          opened.bystander = await plantBystander(opened);
          engine = opened;
        } catch (error) {
          await session[Symbol.asyncDispose]();
          throw error;
        }
      }, 60_000);
      afterAll(async () => {
        if (engine !== undefined) await checkCleanup(engine);
      }, 60_000);
      useLeakCheck();
      body({
        kind,
        get(context) {
          context.use('engine');
          if (engine === undefined) throw new Error(`the ${kind} engine session did not open`);
          const opened = engine;
          context.onTestFinished(async () => {
            opened.client.closeAll();
            await opened.session.closeIdle();
          });
          return opened;
        },
      });
    });
  }
}
