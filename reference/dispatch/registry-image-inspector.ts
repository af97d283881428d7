import {
  normaliseImageReference,
  osKindFromOci,
  RUNTIME_MARKER_ANNOTATION,
  type ImageInspector,
  type OsKind,
  type RuntimeMarker,
} from '../../protocol/runtime.js';
import {
  RegistryRateLimitedError,
  RegistryResponseError,
  RegistryTimeoutError,
  RegistryUnavailableError,
} from './registry-errors.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(', ');

const DEFAULT_TIMEOUT_MS = 10_000;

export interface RegistryImageInspectorOptions {
  /** Defaults to `globalThis.fetch` (read at call time, so interceptors installed later apply). */
  readonly fetch?: typeof fetch;
  /** Per request; defaults to 10 s. */
  readonly timeoutMs?: number;
  /** Talk plain `http://` instead of `https://`. */
  readonly allowInsecure?: boolean;
}

/** Where an image reference lives in a registry. */
export interface RegistryImageLocation {
  /** The host requests go to (`registry-1.docker.io` for `docker.io`). */
  readonly host: string;
  readonly repository: string;
  /** A tag or a digest. */
  readonly reference: string;
}

/** What the registry says about an image. */
export interface RegistryImageFacts {
  readonly os: OsKind | undefined;
  /** The raw `com.zlayer.runtime` annotation (manifest first, then index). */
  readonly marker: string | undefined;
}

/** `docker.io/library/alpine:latest` → host `registry-1.docker.io`, `library/alpine`, `latest`. */
export function locateImage(image: string): RegistryImageLocation {
  const canonical = normaliseImageReference(image);
  const slash = canonical.indexOf('/');
  const registry = canonical.slice(0, slash);
  let name = canonical.slice(slash + 1);
  let reference: string;
  const at = name.indexOf('@');
  if (at !== -1) {
    reference = name.slice(at + 1);
    name = name.slice(0, at);
    const lastSlash = name.lastIndexOf('/');
    const colon = name.indexOf(':', lastSlash + 1);
    if (colon !== -1) name = name.slice(0, colon);
  } else {
    const colon = name.lastIndexOf(':');
    reference = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return { host, repository: name, reference };
}

/** Parses `Bearer realm="..",service="..",scope=".."`; undefined for other schemes. */
export function parseBearerChallenge(header: string | null): Record<string, string> | undefined {
  if (header === null) return undefined;
  const match = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (match === null) return undefined;
  const params: Record<string, string> = {};
  for (const part of (match[1] ?? '').matchAll(/([A-Za-z_]+)="([^"]*)"/g)) {
    params[(part[1] ?? '').toLowerCase()] = part[2] ?? '';
  }
  return params;
}

/** Retry-After as seconds (delta or HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

interface Descriptor {
  readonly mediaType?: string;
  readonly digest?: string;
  readonly platform?: { readonly os?: string; readonly architecture?: string };
}

interface ManifestBody {
  readonly mediaType?: string;
  readonly manifests?: readonly Descriptor[];
  readonly config?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** linux/amd64, else the first real platform (not a buildx `unknown` attestation), else the first. */
function pickManifest(manifests: readonly Descriptor[]): Descriptor | undefined {
  return (
    manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ??
    manifests.find((m) => m.platform?.os !== undefined && m.platform.os !== 'unknown') ??
    manifests[0]
  );
}

/** One inspection's session: its location and any bearer token it earned. */
interface Session {
  readonly location: RegistryImageLocation;
  token?: string;
}

/**
 * Inspects images in an OCI registry over HTTP (CMP-20, CMP-22): the manifest (or the
 * linux/amd64 entry of an index), its config blob's `os`, and the `com.zlayer.runtime`
 * annotation. A missing image gives undefined; every failure is a typed registry error.
 */
export class RegistryImageInspector {
  readonly #fetch: (() => typeof fetch) | undefined;
  readonly #timeoutMs: number;
  readonly #scheme: string;
  readonly #known = new Map<string, RegistryImageFacts>();

  /** The image's OS, for the composite's `osInspector`. */
  readonly osInspector: ImageInspector<OsKind> = { inspect: async (image) => (await this.facts(image))?.os };

  /** The image's runtime marker (`vz` / `vz-linux` only), for the composite's `markerInspector`. */
  readonly markerInspector: ImageInspector<RuntimeMarker> = {
    inspect: async (image) => {
      const marker = (await this.facts(image))?.marker?.toLowerCase();
      return marker === 'vz' || marker === 'vz-linux' ? marker : undefined;
    },
  };

  /** The raw annotation value, whatever it is. */
  readonly rawMarkerInspector: ImageInspector<string> = {
    inspect: async (image) => (await this.facts(image))?.marker,
  };

  constructor(options: RegistryImageInspectorOptions = {}) {
    const injected = options.fetch;
    this.#fetch = injected === undefined ? undefined : () => injected;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#scheme = options.allowInsecure === true ? 'http' : 'https';
  }

  /** OS and marker of `image`; undefined when the registry does not know it. Successes are cached. */
  async facts(image: string): Promise<RegistryImageFacts | undefined> {
    const key = normaliseImageReference(image);
    const cached = this.#known.get(key);
    if (cached !== undefined) return cached;
    const session: Session = { location: locateImage(image) };
    const top = await this.#json(
      session,
      this.#manifestUrl(session, session.location.reference),
      MANIFEST_ACCEPT,
    );
    if (top === undefined) return undefined;
    let manifest = top.body as ManifestBody;
    let indexAnnotations: Readonly<Record<string, string>> | undefined;
    if (Array.isArray(manifest.manifests)) {
      indexAnnotations = manifest.annotations;
      const chosen = pickManifest(manifest.manifests);
      if (chosen?.digest === undefined) {
        throw new RegistryResponseError(top.url, 200, 'image index lists no manifest');
      }
      const inner = await this.#json(session, this.#manifestUrl(session, chosen.digest), MANIFEST_ACCEPT);
      if (inner === undefined) return undefined;
      manifest = inner.body;
      if (manifest.config?.digest === undefined && chosen.platform?.os !== undefined) {
        return this.#remember(key, {
          os: osKindFromOci(chosen.platform.os),
          marker:
            manifest.annotations?.[RUNTIME_MARKER_ANNOTATION] ??
            indexAnnotations?.[RUNTIME_MARKER_ANNOTATION],
        });
      }
    }
    const marker =
      manifest.annotations?.[RUNTIME_MARKER_ANNOTATION] ?? indexAnnotations?.[RUNTIME_MARKER_ANNOTATION];
    const configDigest = manifest.config?.digest;
    if (configDigest === undefined) throw new RegistryResponseError(top.url, 200, 'manifest has no config');
    const { repository } = session.location;
    const configUrl = `${this.#base(session)}/v2/${repository}/blobs/${configDigest}`;
    const config = await this.#json(session, configUrl, '*/*');
    if (config === undefined) return undefined;
    const os = typeof config.body.os === 'string' ? osKindFromOci(config.body.os) : undefined;
    return this.#remember(key, { os, marker });
  }

  #remember(key: string, facts: RegistryImageFacts): RegistryImageFacts {
    this.#known.set(key, facts);
    return facts;
  }

  #base(session: Session): string {
    return `${this.#scheme}://${session.location.host}`;
  }

  #manifestUrl(session: Session, reference: string): string {
    return `${this.#base(session)}/v2/${session.location.repository}/manifests/${reference}`;
  }

  /** GET a JSON document; undefined on 404, one token retry on a Bearer 401. */
  async #json(
    session: Session,
    url: string,
    accept: string,
  ): Promise<{ url: string; body: Record<string, unknown> } | undefined> {
    let response = await this.#get(url, accept, session.token);
    if (response.status === 401) {
      const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
      if (challenge?.realm !== undefined) {
        session.token = await this.#token(challenge);
        response = await this.#get(url, accept, session.token);
      }
    }
    if (response.status === 404) return undefined;
    if (!response.ok) this.#fail(url, response);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new RegistryResponseError(url, response.status, 'body is not JSON', { cause: error });
    }
    if (!isObject(body)) throw new RegistryResponseError(url, response.status, 'body is not a JSON object');
    return { url, body };
  }

  async #token(challenge: Record<string, string>): Promise<string> {
    const url = new URL(challenge.realm ?? '');
    if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
    if (challenge.scope !== undefined) url.searchParams.set('scope', challenge.scope);
    const response = await this.#get(url.toString(), 'application/json', undefined);
    if (!response.ok) this.#fail(url.toString(), response);
    const body: unknown = await response.json().catch(() => undefined);
    const token = isObject(body) ? (body.token ?? body.access_token) : undefined;
    if (typeof token !== 'string' || token === '') {
      throw new RegistryResponseError(url.toString(), response.status, 'token response carries no token');
    }
    return token;
  }

  #fail(url: string, response: Response): never {
    if (response.status === 429) {
      throw new RegistryRateLimitedError(url, parseRetryAfter(response.headers.get('retry-after')));
    }
    throw new RegistryResponseError(url, response.status, response.statusText || 'unexpected status');
  }

  async #get(url: string, accept: string, token: string | undefined): Promise<Response> {
    const doFetch = this.#fetch?.() ?? globalThis.fetch;
    const controller = new AbortController();
    const headers: Record<string, string> = { accept };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new RegistryTimeoutError(url, this.#timeoutMs));
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([
        doFetch(url, { headers, signal: controller.signal }).catch((error: unknown) => {
          if (controller.signal.aborted)
            throw new RegistryTimeoutError(url, this.#timeoutMs, { cause: error });
          throw new RegistryUnavailableError(url, { cause: error });
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function createRegistryImageInspector(
  options: RegistryImageInspectorOptions = {},
): RegistryImageInspector {
  return new RegistryImageInspector(options);
}
