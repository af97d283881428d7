import { describe, expect, it } from 'vitest';
import { parseRequestRoute, queryValue } from './request-route.js';

describe('parseRequestRoute', () => {
  it.each([
    ['POST', '/exec/exec-abc/start', { kind: 'exec', id: 'exec-abc' }, 'exec-start'],
    ['POST', '/v1.51/exec/exec-xyz/resize?w=80&h=24', { kind: 'exec', id: 'exec-xyz' }, 'other'],
    ['POST', '/containers/abc/exec', { kind: 'container', id: 'abc' }, 'exec-create'],
    ['POST', '/v1.43/containers/def456/stop', { kind: 'container', id: 'def456' }, 'other'],
    ['DELETE', '/containers/xyz789', { kind: 'container', id: 'xyz789' }, 'remove'],
    ['DELETE', '/containers/json', { kind: 'container', id: 'json' }, 'remove'],
    ['GET', '/containers/json/json', { kind: 'container', id: 'json' }, 'other'],
    ['POST', '/v1.41/containers/web/rename?name=x', { kind: 'container', id: 'web' }, 'rename'],
    ['POST', '/containers/web/attach?stream=1', { kind: 'container', id: 'web' }, 'attach'],
    ['POST', '/v1.41/commit?container=cap1&repo=x', { kind: 'container', id: 'cap1' }, 'other'],
    ['GET', '/v1/containers/a%2Fb/json', { kind: 'container', id: 'a/b' }, 'other'],
  ] as const)('%s %s names %j (%s)', (method, target, workload, action) => {
    expect(parseRequestRoute(method, target)).toMatchObject({ workload, action });
  });

  it.each([
    ['GET', '/containers/json'],
    ['POST', '/containers/prune'],
    ['GET', '/images/abc/json'],
    ['GET', '/images/containers/history'],
    ['GET', '/v1.41/exec'],
    ['GET', '/containers//json'],
    ['POST', '/commit?repo=x'],
    ['GET', '/v1.51'],
  ])('%s %s names no workload (anchored at the root)', (method, target) => {
    expect(parseRequestRoute(method, target).workload).toBeUndefined();
  });

  it('knows the create and session routes and keeps the raw query', () => {
    expect(parseRequestRoute('POST', '/v1.41/containers/create?name=a')).toMatchObject({
      action: 'create',
      query: 'name=a',
      path: '/containers/create',
    });
    expect(parseRequestRoute('POST', '/session').action).toBe('session');
    expect(parseRequestRoute('GET', '/info').query).toBeUndefined();
  });
});

describe('queryValue', () => {
  it('form-decodes the first value of a key', () => {
    expect(queryValue('platform=linux%2Famd64&platform=x', 'platform')).toBe('linux/amd64');
    expect(queryValue('name=%2Fweb+1', 'name')).toBe('/web 1');
    expect(queryValue('flag&x=1', 'flag')).toBe('');
    expect(queryValue('x=%zz', 'x')).toBe('%zz');
    expect(queryValue(undefined, 'x')).toBeUndefined();
  });
});
