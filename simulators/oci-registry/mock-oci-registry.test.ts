import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockOciRegistry, setupMockOciRegistries } from './index.js';

const registry = createMockOciRegistry({
  host: 'mock.test',
  images: [{ repository: 'a/b', tag: '1', os: 'linux', index: true, annotations: { k: 'v' } }],
});
const server = setupMockOciRegistries(registry);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('createMockOciRegistry', () => {
  it('serves an index by tag and by its content digest', async () => {
    const byTag = await fetch('https://mock.test/v2/a/b/manifests/1');
    const text = await byTag.text();
    const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    expect(byTag.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    expect(registry.digestOf('a/b', '1')).toBe(digest);
    const index = JSON.parse(text) as { manifests: unknown[]; annotations: unknown };
    expect(index.manifests).toHaveLength(2);
    expect(index.annotations).toEqual({ k: 'v' });
    const byDigest = await fetch(`https://mock.test/v2/a/b/manifests/${digest}`);
    expect(await byDigest.text()).toBe(text);
  });

  it('answers 404 with an OCI error body for unknown manifests and blobs', async () => {
    const manifest = await fetch('https://mock.test/v2/a/b/manifests/nope');
    expect(manifest.status).toBe(404);
    expect(await manifest.json()).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    expect((await fetch('https://mock.test/v2/a/b/blobs/sha256:00')).status).toBe(404);
  });

  it('challenges without a token and rate-limits after N requests', async () => {
    const guarded = createMockOciRegistry({
      host: 'guarded.test',
      images: [],
      requireToken: true,
      rateLimit: { after: 1, retryAfterSeconds: 5 },
    });
    server.use(...guarded.handlers);
    const first = await fetch('https://guarded.test/v2/x/manifests/1');
    expect(first.status).toBe(401);
    expect(first.headers.get('www-authenticate')).toBe(
      'Bearer realm="https://guarded.test/token",service="guarded.test",scope="repository:x:pull"',
    );
    const token = (await (await fetch('https://guarded.test/token')).json()) as { token: string };
    expect(token.token).toBe(guarded.token);
    const second = await fetch('https://guarded.test/v2/x/manifests/1', {
      headers: { authorization: `Bearer ${guarded.token}` },
    });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('5');
    expect(guarded.requests()).toBe(2);
    expect(guarded.tokenRequests()).toBe(1);
  });
});
