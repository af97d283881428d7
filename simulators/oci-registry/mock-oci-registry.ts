import { createHash } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { setupServer } from 'msw/node';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

export interface MockOciImage {
  readonly repository: string;
  readonly tag: string;
  /** The OCI `os` value (`linux`, `windows`, `darwin`, ...). */
  readonly os: string;
  /** Defaults to `amd64`. */
  readonly architecture?: string;
  /** Put on the index when `index`, else on the manifest (e.g. `com.zlayer.runtime`). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Serve an OCI image index (with a buildx-style `unknown/unknown` attestation entry first). */
  readonly index?: boolean;
}

export interface MockOciRegistryOptions {
  readonly host: string;
  /** Defaults to `https`. */
  readonly scheme?: 'http' | 'https';
  readonly images: readonly MockOciImage[];
  /** Manifests and blobs answer 401 + a Bearer challenge without the registry's token. */
  readonly requireToken?: boolean;
  /** After `after` manifest/blob requests, every further one answers 429 with Retry-After. */
  readonly rateLimit?: { readonly after: number; readonly retryAfterSeconds: number };
}

export interface MockOciRegistry {
  readonly handlers: RequestHandler[];
  /** The token the token endpoint hands out. */
  readonly token: string;
  /** Manifest and blob requests seen so far (token requests excluded). */
  readonly requests: () => number;
  /** Token endpoint requests seen so far. */
  readonly tokenRequests: () => number;
  /** The digest of the top-level document served for `repository:tag`. */
  readonly digestOf: (repository: string, tag: string) => string | undefined;
}

interface Document {
  readonly mediaType: string;
  readonly bytes: string;
  readonly digest: string;
}

function document(mediaType: string, body: unknown): Document {
  const bytes = JSON.stringify(body);
  return { mediaType, bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

const descriptor = (doc: Document, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  mediaType: doc.mediaType,
  digest: doc.digest,
  size: Buffer.byteLength(doc.bytes),
  ...extra,
});

const ociError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  HttpResponse.json({ errors: [{ code, message }] }, { status, headers });

/**
 * A mock OCI distribution registry as msw handlers: `/token`, `/v2/<repo>/manifests/<tag|digest>`
 * and `/v2/<repo>/blobs/<digest>`. Repositories may contain slashes.
 */
export function createMockOciRegistry(options: MockOciRegistryOptions): MockOciRegistry {
  const base = `${options.scheme ?? 'https'}://${options.host}`;
  const token = `mock-token-${options.host}`;
  /** repository → reference (tag or digest) → document. */
  const manifests = new Map<string, Map<string, Document>>();
  const blobs = new Map<string, Map<string, Document>>();
  const tops = new Map<string, string>();
  const shelf = (map: Map<string, Map<string, Document>>, repository: string): Map<string, Document> => {
    let found = map.get(repository);
    if (found === undefined) map.set(repository, (found = new Map<string, Document>()));
    return found;
  };

  for (const image of options.images) {
    const architecture = image.architecture ?? 'amd64';
    const config = document(OCI_CONFIG, {
      architecture,
      os: image.os,
      rootfs: { type: 'layers', diff_ids: [] },
      config: {},
    });
    const manifest = document(OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor(config),
      layers: [],
      ...(image.index === true || image.annotations === undefined ? {} : { annotations: image.annotations }),
    });
    shelf(blobs, image.repository).set(config.digest, config);
    const repoManifests = shelf(manifests, image.repository);
    repoManifests.set(manifest.digest, manifest);
    let top = manifest;
    if (image.index === true) {
      const attestation = document(OCI_MANIFEST, {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: descriptor(document(OCI_CONFIG, {})),
        layers: [],
      });
      repoManifests.set(attestation.digest, attestation);
      top = document(OCI_INDEX, {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          descriptor(attestation, { platform: { os: 'unknown', architecture: 'unknown' } }),
          descriptor(manifest, { platform: { os: image.os, architecture } }),
        ],
        ...(image.annotations === undefined ? {} : { annotations: image.annotations }),
      });
      repoManifests.set(top.digest, top);
    }
    repoManifests.set(image.tag, top);
    tops.set(`${image.repository}:${image.tag}`, top.digest);
  }

  let requests = 0;
  let tokenRequests = 0;
  const route = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;

  const handlers: RequestHandler[] = [
    http.get(`${base}/token`, () => {
      tokenRequests += 1;
      return HttpResponse.json({ token, access_token: token, expires_in: 300 });
    }),
    http.get(`${base}/v2/*`, ({ request }) => {
      requests += 1;
      const match = route.exec(new URL(request.url).pathname);
      if (match === null) return ociError(404, 'NAME_UNKNOWN', 'unknown route');
      const [, repository, kind, reference] = match as unknown as [string, string, string, string];
      if (options.rateLimit !== undefined && requests > options.rateLimit.after) {
        return ociError(429, 'TOOMANYREQUESTS', 'rate limited', {
          'retry-after': String(options.rateLimit.retryAfterSeconds),
        });
      }
      if (options.requireToken === true && request.headers.get('authorization') !== `Bearer ${token}`) {
        return ociError(401, 'UNAUTHORIZED', 'authentication required', {
          'www-authenticate':
            `Bearer realm="${base}/token",service="${options.host}",` +
            `scope="repository:${repository}:pull"`,
        });
      }
      const doc = (kind === 'manifests' ? manifests : blobs).get(repository)?.get(reference);
      if (doc === undefined) {
        return ociError(404, kind === 'manifests' ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN', 'not found');
      }
      return new HttpResponse(doc.bytes, {
        status: 200,
        headers: { 'content-type': doc.mediaType, 'docker-content-digest': doc.digest },
      });
    }),
  ];

  return {
    handlers,
    token,
    requests: () => requests,
    tokenRequests: () => tokenRequests,
    digestOf: (repository, tag) => tops.get(`${repository}:${tag}`),
  };
}

/** An msw node server over the handlers of the given registries (listen / close are the caller's). */
export function setupMockOciRegistries(
  ...registries: readonly MockOciRegistry[]
): ReturnType<typeof setupServer> {
  return setupServer(...registries.flatMap((registry) => registry.handlers));
}
