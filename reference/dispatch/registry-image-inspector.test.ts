import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockOciRegistry } from '../../simulators/oci-registry/index.js';
import { FakeImageInspector, FakeRuntime } from '../../simulators/runtimes/index.js';
import type { OsKind } from '../../protocol/runtime.js';
import { createCompositeRuntime } from './composite-runtime.js';
import {
  RegistryRateLimitedError,
  RegistryResponseError,
  RegistryTimeoutError,
  RegistryUnavailableError,
} from './registry-errors.js';
import {
  createRegistryImageInspector,
  locateImage,
  parseBearerChallenge,
  parseRetryAfter,
} from './registry-image-inspector.js';

const HOST = 'registry.test';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function useRegistry(options: Partial<Parameters<typeof createMockOciRegistry>[0]> = {}) {
  const registry = createMockOciRegistry({
    host: HOST,
    images: [
      { repository: 'team/linux-app', tag: '1', os: 'linux' },
      { repository: 'team/win-app', tag: '2', os: 'windows', index: true },
      { repository: 'team/bundle', tag: 'v', os: 'darwin', annotations: { 'com.zlayer.runtime': 'vz' } },
      {
        repository: 'team/vzl',
        tag: 'v',
        os: 'linux',
        architecture: 'arm64',
        index: true,
        annotations: { 'com.zlayer.runtime': 'vz-linux' },
      },
    ],
    ...options,
  });
  server.use(...registry.handlers);
  return registry;
}

describe('locateImage and header parsing', () => {
  it('applies docker.io and library/ defaults', () => {
    expect(locateImage('alpine')).toEqual({
      host: 'registry-1.docker.io',
      repository: 'library/alpine',
      reference: 'latest',
    });
    expect(locateImage('localhost:5000/a/b:3')).toEqual({
      host: 'localhost:5000',
      repository: 'a/b',
      reference: '3',
    });
    expect(locateImage('registry.test/x:1@sha256:ab')).toEqual({
      host: 'registry.test',
      repository: 'x',
      reference: 'sha256:ab',
    });
  });

  it('reads Bearer challenges and Retry-After', () => {
    expect(parseBearerChallenge('Bearer realm="https://a/t",service="a",scope="repository:x:pull"')).toEqual({
      realm: 'https://a/t',
      service: 'a',
      scope: 'repository:x:pull',
    });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('RegistryImageInspector over a mock OCI registry', () => {
  it('reads the OS from a plain manifest config blob', async () => {
    useRegistry();
    const inspector = createRegistryImageInspector();
    await expect(inspector.osInspector.inspect(`${HOST}/team/linux-app:1`)).resolves.toBe('linux');
    await expect(inspector.markerInspector.inspect(`${HOST}/team/linux-app:1`)).resolves.toBeUndefined();
  });

  it('picks the real platform of an image index', async () => {
    useRegistry();
    const inspector = createRegistryImageInspector();
    await expect(inspector.osInspector.inspect(`${HOST}/team/win-app:2`)).resolves.toBe('windows');
  });

  it('reads the runtime marker from manifest and index annotations', async () => {
    useRegistry();
    const inspector = createRegistryImageInspector();
    await expect(inspector.markerInspector.inspect(`${HOST}/team/bundle:v`)).resolves.toBe('vz');
    await expect(inspector.osInspector.inspect(`${HOST}/team/bundle:v`)).resolves.toBe('macos');
    await expect(inspector.markerInspector.inspect(`${HOST}/team/vzl:v`)).resolves.toBe('vz-linux');
    await expect(inspector.rawMarkerInspector.inspect(`${HOST}/team/vzl:v`)).resolves.toBe('vz-linux');
  });

  it('resolves docker.io short names against registry-1.docker.io', async () => {
    const registry = createMockOciRegistry({
      host: 'registry-1.docker.io',
      images: [{ repository: 'library/alpine', tag: 'latest', os: 'linux', index: true }],
    });
    server.use(...registry.handlers);
    await expect(createRegistryImageInspector().osInspector.inspect('alpine')).resolves.toBe('linux');
  });

  it('fetches a bearer token after a 401 and retries once', async () => {
    const registry = useRegistry({ requireToken: true });
    const inspector = createRegistryImageInspector();
    await expect(inspector.osInspector.inspect(`${HOST}/team/linux-app:1`)).resolves.toBe('linux');
    expect(registry.tokenRequests()).toBe(1);
    // manifest 401 + retry, then the config blob with the session's token.
    expect(registry.requests()).toBe(3);
  });

  it('gives a typed response error when the token is refused again', async () => {
    server.use(
      http.get(`https://${HOST}/token`, () => HttpResponse.json({ token: 'bad' })),
      http.get(
        `https://${HOST}/v2/*`,
        () =>
          new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': `Bearer realm="https://${HOST}/token",service="${HOST}"` },
          }),
      ),
    );
    await expect(createRegistryImageInspector().osInspector.inspect(`${HOST}/x:1`)).rejects.toMatchObject({
      code: 'ERR_REGISTRY_RESPONSE',
      status: 401,
    });
  });

  it('maps 429 to a rate-limit error carrying Retry-After', async () => {
    useRegistry({ rateLimit: { after: 1, retryAfterSeconds: 7 } });
    const error: unknown = await createRegistryImageInspector()
      .osInspector.inspect(`${HOST}/team/linux-app:1`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryRateLimitedError);
    expect(error).toMatchObject({ code: 'ERR_REGISTRY_RATE_LIMITED', retryAfterSeconds: 7 });
  });

  it('maps network failures and timeouts to typed errors', async () => {
    server.use(http.get(`https://${HOST}/v2/*`, () => HttpResponse.error()));
    const down = await createRegistryImageInspector()
      .osInspector.inspect(`${HOST}/a:1`)
      .catch((e: unknown) => e);
    expect(down).toBeInstanceOf(RegistryUnavailableError);
    expect(down).toMatchObject({ code: 'ERR_REGISTRY_UNAVAILABLE' });

    server.resetHandlers(http.get(`https://${HOST}/v2/*`, () => new Promise<Response>(() => undefined)));
    const slow = await createRegistryImageInspector({ timeoutMs: 30 })
      .osInspector.inspect(`${HOST}/a:1`)
      .catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(RegistryTimeoutError);
    expect(slow).toMatchObject({ code: 'ERR_REGISTRY_TIMEOUT', timeoutMs: 30 });
  });

  it('answers undefined for an unknown image and a typed error for junk', async () => {
    useRegistry();
    const inspector = createRegistryImageInspector();
    await expect(inspector.osInspector.inspect(`${HOST}/team/nothing:1`)).resolves.toBeUndefined();
    await expect(
      inspector.markerInspector.inspect(`${HOST}/team/linux-app:missing`),
    ).resolves.toBeUndefined();
    server.use(http.get(`https://${HOST}/v2/*`, () => new HttpResponse('not json', { status: 200 })));
    await expect(inspector.osInspector.inspect(`${HOST}/junk:1`)).rejects.toBeInstanceOf(
      RegistryResponseError,
    );
  });

  it('uses an injected fetch and plain http when insecure is allowed', async () => {
    const seen: string[] = [];
    const registry = createMockOciRegistry({
      host: 'localhost:5000',
      scheme: 'http',
      images: [{ repository: 'a', tag: '1', os: 'windows' }],
    });
    server.use(...registry.handlers);
    const inspector = createRegistryImageInspector({
      allowInsecure: true,
      fetch: (input, init) => {
        seen.push(input instanceof Request ? input.url : input.toString());
        return fetch(input, init);
      },
    });
    await expect(inspector.osInspector.inspect('localhost:5000/a:1')).resolves.toBe('windows');
    expect(seen[0]).toBe('http://localhost:5000/v2/a/manifests/1');
  });
});

describe('CompositeRuntime with the registry inspector after local caches (CMP-20..22)', () => {
  const image = `${HOST}/team/linux-app:1`;
  const composite = (remote: (image: string) => Promise<OsKind | undefined>) =>
    createCompositeRuntime({
      primary: new FakeRuntime('p'),
      delegate: new FakeRuntime('d'),
      osInspector: new FakeImageInspector<OsKind>({ caches: [{}, { 'other:1': 'windows' }], remote }),
    });

  it('follows the registry OS when every local cache misses', async () => {
    useRegistry();
    const registry = createRegistryImageInspector();
    const runtime = composite((ref) => registry.osInspector.inspect(ref));
    await runtime.pullImage(image);
    expect(runtime.knownImageOs(image)).toBe('linux');
    await runtime.createContainer({ service: 'svc', replica: 1 }, { image, labels: {} });
    expect(runtime.ownerOf({ service: 'svc', replica: 1 })).toBe('delegate');
  });

  it('a 429 from the registry neither fails the pull nor breaks dispatch', async () => {
    useRegistry({ rateLimit: { after: 0, retryAfterSeconds: 30 } });
    const registry = createRegistryImageInspector();
    const runtime = composite((ref) => registry.osInspector.inspect(ref));
    await expect(runtime.pullImage(image)).resolves.toBeUndefined();
    expect(runtime.knownImageOs(image)).toBeUndefined();
    await runtime.createContainer({ service: 'svc', replica: 2 }, { image, labels: {} });
    expect(runtime.ownerOf({ service: 'svc', replica: 2 })).toBe('primary');
  });
});
