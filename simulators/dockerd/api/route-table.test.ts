import { describe, expect, it } from 'vitest';
import { CAPTURES, loadCapturedRequests } from '../../../fixtures/captures/client-captures.js';
import { goUnescape } from './go-form.js';
import { matchRoute } from './match-route.js';
import { ROUTE_TABLE } from './route-table.js';

/**
 * Endpoints real clients used against a real daemon that the simulator does not serve (it answers
 * 404 `page not found`), each with the reason.
 */
const NOT_SERVED: readonly { readonly method: string; readonly path: string; readonly reason: string }[] = [
  {
    method: 'POST',
    path: '/build',
    reason:
      'the classic builder (Dockerfile parsing, one container per step, the build cache, the JSON ' +
      'progress stream) is not modelled; no clause and no fidelity step builds through a simulated guest',
  },
];

/** The path of a request target, unescaped as the simulator's handler does it. */
const pathOf = (target: string): string => goUnescape(target.split('?')[0] ?? '', 'path');

/** A template's path with every variable filled in. */
const instantiate = (template: string): string => template.replace(/\{[a-z]+:\.\*\}/g, 'x');

describe('ROUTE_TABLE', () => {
  it('has no route twice, and no route hidden behind an earlier one', () => {
    const keys = ROUTE_TABLE.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of ROUTE_TABLE) {
      const path = instantiate(route.path);
      expect(matchRoute(route.method, path)?.route, `${route.method} ${path}`).toBe(route);
      expect(matchRoute(route.method, `/v1.41${path}`)?.route, `${route.method} /v1.41${path}`).toBe(route);
    }
  });

  it('matches the first route in table order, with the path variables and the version', () => {
    expect(matchRoute('GET', '/v1.41/containers/json')).toMatchObject({ vars: {}, version: '1.41' });
    expect(matchRoute('GET', '/v1.41/containers/json')?.route.path).toBe('/containers/json');
    expect(matchRoute('GET', '/containers/a/b/json')).toMatchObject({ vars: { name: 'a/b' }, version: '' });
    expect(matchRoute('DELETE', '/v1.24/images/local/busybox:1')).toMatchObject({
      vars: { name: 'local/busybox:1' },
      version: '1.24',
    });
    // OPTIONS answers on any path, the first route of the table.
    expect(matchRoute('OPTIONS', '/v1.41/anything/at/all')?.route).toBe(ROUTE_TABLE[0]);
    expect(matchRoute('GET', '/v1.41/no/such/endpoint')).toBeUndefined();
    expect(matchRoute('PATCH', '/containers/json')).toBeUndefined();
  });
});

describe('the route table against the recorded client captures', () => {
  const requests = CAPTURES.flatMap((capture) => loadCapturedRequests(capture));
  // A 404 from the real daemon may be "no such container" as well as "no such endpoint".
  const answered = requests.filter((request) => request.status !== 404);

  it('serves every endpoint a real client used where the real daemon had one', () => {
    expect(answered.length).toBeGreaterThan(50);
    const served = new Set<string>();
    const listed = new Set<string>();
    const missing: string[] = [];
    for (const request of answered) {
      const path = pathOf(request.target);
      const match = matchRoute(request.method, path);
      if (match) {
        served.add(`${request.method} ${match.route.path}`);
        continue;
      }
      const unversioned = path.replace(/^\/v[0-9.]+(?=\/)/, '');
      const known = NOT_SERVED.find((entry) => entry.method === request.method && entry.path === unversioned);
      if (known) listed.add(`${known.method} ${known.path}`);
      else missing.push(`${request.capture}: ${request.method} ${request.target} (real: ${request.status})`);
    }
    expect(missing).toEqual([]);
    // The list holds only what the captures need: nothing stale, nothing the table now serves.
    expect([...listed].sort()).toEqual(NOT_SERVED.map((entry) => `${entry.method} ${entry.path}`).sort());
    console.log(
      `capture coverage: ${answered.length} recorded requests not answered 404 (${CAPTURES.length} captures), ` +
        `${served.size + listed.size} endpoints: ${served.size} served by the route table, ` +
        `${listed.size} listed as not served (${[...listed].join(', ')})`,
    );
  });
});
