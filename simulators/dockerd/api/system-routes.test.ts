import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { startTestDockerd, type TestDockerd } from '../test-dockerd.test-helper.js';

useLeakCheck();

// Configured with the API range of dockerd 20.10 (1.12..1.41), whose version errors these tests pin.
const DOCKERD_20_10_RANGE = { min: '1.12', max: '1.41' };

let d: TestDockerd;
beforeAll(async () => {
  d = await startTestDockerd({ name: 'system-test', apiVersion: DOCKERD_20_10_RANGE });
});
afterAll(async () => {
  await d.close();
});

const API_HEADERS = ['Api-Version', 'Docker-Experimental', 'Ostype', 'Server'];

describe('DKR-6 /_ping', () => {
  it('GET answers "OK" with the API headers, no-cache and a sniffed text/plain', async () => {
    const response = await d.request('GET', '/_ping');
    expect(response.status).toBe(200);
    expect(response.text).toBe('OK');
    expect(response.headerNames).toEqual([
      'Api-Version',
      'Cache-Control',
      'Docker-Experimental',
      'Ostype',
      'Pragma',
      'Server',
      'Date',
      'Content-Length',
      'Content-Type',
    ]);
    expect(response.header('api-version')).toBe('1.41');
    expect(response.header('server')).toBe('Docker/20.10.24+dfsg1 (linux)');
    expect(response.header('cache-control')).toBe('no-cache, no-store, must-revalidate');
    expect(response.header('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('HEAD answers the same headers with Content-Length 0 set by the handler', async () => {
    const response = await d.request('HEAD', '/_ping');
    expect(response.headerNames).toEqual([
      'Api-Version',
      'Cache-Control',
      'Content-Length',
      'Content-Type',
      'Docker-Experimental',
      'Ostype',
      'Pragma',
      'Server',
      'Date',
    ]);
    expect(response.header('content-length')).toBe('0');
  });
});

describe('DKR-7 /version and /info', () => {
  it('/version has the keys of dockerd 20.10 and reports the architecture', async () => {
    const arm = await startTestDockerd({ name: 'arm', architecture: 'arm64' });
    try {
      const response = await arm.request('GET', '/v1.41/version');
      expect(response.framing).toBe('content-length');
      const body = response.json<Record<string, unknown>>();
      expect(Object.keys(body)).toEqual([
        'Platform',
        'Components',
        'Version',
        'ApiVersion',
        'MinAPIVersion',
        'GitCommit',
        'GoVersion',
        'Os',
        'Arch',
        'KernelVersion',
        'BuildTime',
      ]);
      // berth's default range is 1.24..1.41 (issue #3); dockerd 20.10 itself goes down to 1.12.
      expect(body).toMatchObject({ ApiVersion: '1.41', MinAPIVersion: '1.24', Os: 'linux', Arch: 'arm64' });
      const info = (await arm.request('GET', '/info')).json<Record<string, unknown>>();
      expect(info).toMatchObject({ Architecture: 'aarch64', OSType: 'linux', Name: 'arm', Images: 1 });
    } finally {
      await arm.close();
    }
  });

  it('/info is chunked (its body is above 2048 bytes) and counts containers', async () => {
    const id = await d.create({ Image: 'local/busybox:1', Cmd: ['true'] });
    const response = await d.request('GET', '/v1.41/info');
    expect(response.framing).toBe('chunked');
    const info = response.json<Record<string, number>>();
    expect(info.Containers).toBeGreaterThanOrEqual(1);
    expect(info.ContainersStopped).toBe(
      (info.Containers ?? 0) - (info.ContainersRunning ?? 0) - (info.ContainersPaused ?? 0),
    );
    expect((await d.request('DELETE', `/v1.41/containers/${id}`)).status).toBe(204);
  });
});

describe('DKR-1 version prefixes', () => {
  it('accepts /vX.Y within [1.12, 1.41], including "1.41.0"', async () => {
    for (const version of ['1.12', '1.24', '1.41', '1.41.0']) {
      expect((await d.request('GET', `/v${version}/_ping`)).status).toBe(200);
    }
  });

  it('refuses a too-new version with JSON and no Docker-Experimental header', async () => {
    const response = await d.request('GET', '/v1.50/version');
    expect(response.status).toBe(400);
    expect(response.text).toBe(
      '{"message":"client version 1.50 is too new. Maximum supported API version is 1.41"}\n',
    );
    expect(response.header('docker-experimental')).toBeUndefined();
    expect(response.header('api-version')).toBe('1.41');
  });

  it('refuses a too-old version in plain text (API 1.23 and older have no JSON errors)', async () => {
    const response = await d.request('GET', '/v1.11/version');
    expect(response.status).toBe(400);
    expect(response.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.header('x-content-type-options')).toBe('nosniff');
    expect(response.text).toBe(
      'client version 1.11 is too old. Minimum supported API version is 1.12, please upgrade your client to a newer version\n',
    );
    const old = await d.request('GET', '/v1.20/containers/nope/json');
    expect([old.status, old.text]).toEqual([404, 'No such container: nope\n']);
  });

  it('honours a configured range', async () => {
    const narrow = await startTestDockerd({ apiVersion: { min: '1.24', max: '1.40' } });
    try {
      expect((await narrow.request('GET', '/_ping')).header('api-version')).toBe('1.40');
      expect((await narrow.request('GET', '/v1.41/version')).json()).toEqual({
        message: 'client version 1.41 is too new. Maximum supported API version is 1.40',
      });
      expect((await narrow.request('GET', '/v1.23/version')).status).toBe(400);
    } finally {
      await narrow.close();
    }
  });
});

describe('DKR-2 routing', () => {
  it('answers 404 page not found, without the API headers, for unknown paths and methods', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/v1.41/nope'],
      ['DELETE', '/v1.41/version'],
      ['POST', '/_ping'],
      ['GET', '/v/version'],
    ] as const) {
      const response = await d.request(method, path);
      expect([method, path, response.status, response.text]).toEqual([
        method,
        path,
        404,
        '{"message":"page not found"}\n',
      ]);
      expect(API_HEADERS.some((name) => response.header(name) !== undefined)).toBe(false);
    }
  });

  it('HEAD of a GET route is a 404 whose length is announced but whose body is not sent', async () => {
    const response = await d.request('HEAD', '/v1.41/version');
    expect([response.status, response.header('content-length'), response.body.length]).toEqual([
      404,
      '29',
      0,
    ]);
  });

  it('redirects an unclean path (301, Location) as gorilla/mux does', async () => {
    const response = await d.request('GET', '/v1.41/containers/%2Fweb/json?size=1');
    expect(response.status).toBe(301);
    expect(response.header('location')).toBe('/v1.41/containers/web/json?size=1');
    expect(response.header('content-length')).toBe('0');
  });

  it('answers 400 for a malformed query escape', async () => {
    const response = await d.request('GET', '/v1.41/containers/json?all=%zz');
    expect([response.status, response.json()]).toEqual([400, { message: 'invalid URL escape "%zz"' }]);
  });
});
