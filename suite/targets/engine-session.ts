import { randomBytes } from 'node:crypto';
import { BerthError } from '../../protocol/errors.js';
import type { EngineAddress, EngineLeftovers, EngineSession } from './engine-facet.js';
import { httpCall, type HttpAnswer } from '../support/http/http-call.js';

/** The label every container of a session carries; its value is the session's id. */
export const ENGINE_SESSION_LABEL = 'dev.berth.engine-session';

export interface EngineSessionOptions {
  /** Where the Docker Engine API answers: the endpoint under test. */
  readonly address: EngineAddress;
  /** One line for reports: what answers at `address`. */
  readonly description: string;
  /** An image present at `address` with `/bin/sh` and the busybox applets. */
  readonly baseImage: string;
  /** Runs last when the session is disposed (after the sweep): stop what serves `address`. */
  readonly onDispose?: () => Promise<void>;
  /**
   * Closes connections kept idle behind `address` (a proxy's pool to its guest): the guest
   * closing its idle keep-alive connections, or the proxy dropping its own. Run after each test.
   */
  readonly closeIdle?: () => void | Promise<void>;
  /** Deadline of each of the session's own requests (listing, removal); default 30 s. */
  readonly timeoutMs?: number;
}

/** A request the session made for its own bookkeeping failed (the endpoint is gone or broken). */
export class EngineSessionRequestError extends BerthError {
  readonly code = 'ERR_ENGINE_SESSION_REQUEST';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`engine session: ${method} ${path} failed: ${detail}`, options);
  }
}

/** `unix:///path` or `tcp://host:port` for an address. */
export function formatDockerHost(address: EngineAddress): string {
  if ('socketPath' in address) return `unix://${address.socketPath}`;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}

/** A request of the session's own; a failure to get an answer is an EngineSessionRequestError. */
async function call(
  address: EngineAddress,
  method: string,
  path: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  try {
    return await httpCall(address, method, path, { timeoutMs });
  } catch (error) {
    throw new EngineSessionRequestError(method, path, (error as Error).message, { cause: error });
  }
}

async function listJson<T>(address: EngineAddress, path: string, timeoutMs: number): Promise<T[]> {
  const answer = await call(address, 'GET', path, timeoutMs);
  if (answer.status !== 200)
    throw new EngineSessionRequestError('GET', path, `answered ${answer.status}: ${answer.text.trim()}`);
  const parsed: unknown = JSON.parse(answer.text);
  if (!Array.isArray(parsed))
    throw new EngineSessionRequestError('GET', path, `answered ${answer.text.slice(0, 80)}, not an array`);
  return parsed as T[];
}

interface ContainerSummary {
  readonly Id: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

interface ImageSummary {
  readonly Id: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly RepoTags?: readonly string[] | null;
}

/** One image leftover: a reference under the prefix, or the ID of a labelled untagged image. */
interface ImageLeftover {
  readonly ref: string;
  readonly id: string;
  /** Tags of the image outside the session's prefix (removing `ref` then only untags). */
  readonly foreignTags: number;
}

const slug = (hint: string): string =>
  hint
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-_.]+|-+$/g, '')
    .slice(0, 40) || 'c';

/**
 * The generic half of an engine session, over any Docker Engine API address: the reference
 * target's simulated dockerd, a real daemon, the reference proxy or a third party's in front of
 * a guest. A target's engine facet starts whatever serves the address and hands the rest here:
 *
 * ```ts
 * return openEngineSession({
 *   address: { socketPath: proxy.socketPath },
 *   description: 'the product behind its proxy, in front of a simulated guest',
 *   baseImage: 'local/busybox:1',
 *   onDispose: async () => { await product.stop(); await guest.close(); },
 * });
 * ```
 *
 * - Naming: a fresh 8-hex session id; containers carry the label `dev.berth.engine-session=<id>`
 *   (`labels`), image repositories start with `berth-<id>/` (`imagePrefix`), and `name(hint)`
 *   gives `berth-<id>-<hint>-<n>`.
 * - `leftovers()` lists every container and image without server-side filters (an engine that
 *   ignored a filter must not widen what is swept) and keeps those carrying the label or a tag
 *   under the prefix.
 * - `sweep()`, and disposal, remove those: containers by ID (force, with volumes), images by
 *   reference (which only untags an image that has other tags) and labelled untagged images by ID
 *   without force.
 * - Protection: the IDs of every container and image present when the session opened are kept,
 *   and the sweep never removes one of them (nor deletes one through its last tag).
 * - `onDispose` runs last, after the sweep, even when the sweep failed.
 */
export async function openEngineSession(options: EngineSessionOptions): Promise<EngineSession> {
  const { address, description, baseImage, onDispose } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const id = randomBytes(4).toString('hex');
  const labels = { [ENGINE_SESSION_LABEL]: id };
  const imagePrefix = `berth-${id}/`;
  let names = 0;

  // What was there before the session: never removed, whatever it carries.
  const [containersBefore, imagesBefore] = await Promise.all([
    listJson<ContainerSummary>(address, '/containers/json?all=1', timeoutMs),
    listJson<ImageSummary>(address, '/images/json?all=1', timeoutMs),
  ]);
  const preexisting = {
    containers: new Set(containersBefore.map((container) => container.Id)),
    images: new Set(imagesBefore.map((image) => image.Id)),
  };

  const scan = async (): Promise<{ containers: string[]; images: ImageLeftover[] }> => {
    const [containers, images] = await Promise.all([
      listJson<ContainerSummary>(address, '/containers/json?all=1', timeoutMs),
      listJson<ImageSummary>(address, '/images/json?all=1', timeoutMs),
    ]);
    return {
      containers: containers
        .filter((container) => container.Labels?.[ENGINE_SESSION_LABEL] === id)
        .map((container) => container.Id),
      images: images.flatMap((image): ImageLeftover[] => {
        const tags = image.RepoTags ?? [];
        const ours = tags.filter((tag) => tag.startsWith(imagePrefix));
        const foreignTags = tags.filter((tag) => !tag.startsWith(imagePrefix) && tag !== '<none>:<none>');
        if (ours.length > 0)
          return ours.map((ref) => ({ ref, id: image.Id, foreignTags: foreignTags.length }));
        if (image.Labels?.[ENGINE_SESSION_LABEL] === id)
          return [{ ref: image.Id, id: image.Id, foreignTags: foreignTags.length }];
        return [];
      }),
    };
  };

  const leftovers = async (): Promise<EngineLeftovers> => {
    const found = await scan();
    return { containers: found.containers, images: found.images.map((image) => image.ref) };
  };

  const sweep = async (): Promise<EngineLeftovers> => {
    const found = await scan();
    const removed: { containers: string[]; images: string[] } = { containers: [], images: [] };
    for (const container of found.containers) {
      if (preexisting.containers.has(container)) continue;
      const path = `/containers/${container}?force=1&v=1`;
      const answer = await call(address, 'DELETE', path, timeoutMs);
      if (answer.status === 204 || answer.status === 200) removed.containers.push(container);
    }
    for (const image of found.images) {
      // A tag under the prefix on an image that was already there: untag only when the image
      // keeps another tag, since removing its last reference would delete it.
      if (preexisting.images.has(image.id) && (image.ref === image.id || image.foreignTags === 0)) continue;
      const answer = await call(address, 'DELETE', `/images/${image.ref}`, timeoutMs);
      if (answer.status === 200) removed.images.push(image.ref);
    }
    return removed;
  };

  return {
    description,
    address,
    dockerHost: formatDockerHost(address),
    baseImage,
    labels,
    imagePrefix,
    name(hint) {
      names += 1;
      return `berth-${id}-${slug(hint)}-${names}`;
    },
    leftovers,
    sweep,
    async closeIdle() {
      await options.closeIdle?.();
    },
    async [Symbol.asyncDispose]() {
      // The endpoint stops even when the sweep failed; the sweep's failure is reported after.
      const swept = await sweep().then(
        () => undefined,
        (error: unknown) => error,
      );
      await onDispose?.();
      if (swept instanceof Error) throw swept;
    },
  };
}
