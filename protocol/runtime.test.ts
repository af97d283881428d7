import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  displayContainerId,
  normaliseImageReference,
  osKindFromOci,
  osKindToOci,
  parseContainerId,
  type OsKind,
} from './runtime.js';
import { RouteToPeerError, WrongPlatformError } from './runtime-errors.js';

describe('OsKind OCI strings', () => {
  it('round-trips every kind and refuses empty or unknown values', () => {
    for (const os of ['linux', 'windows', 'macos'] as OsKind[])
      expect(osKindFromOci(osKindToOci(os))).toBe(os);
    expect(osKindToOci('macos')).toBe('darwin');
    expect(osKindFromOci('')).toBeUndefined();
    expect(osKindFromOci('freebsd')).toBeUndefined();
    expect(osKindFromOci('Linux')).toBeUndefined();
  });
});

describe('ContainerId display', () => {
  it('uses the legacy shape for the default role on node 0', () => {
    expect(displayContainerId({ service: 'web', replica: 3 })).toBe('web-rep-3');
    expect(displayContainerId({ service: 'web', replica: 3, role: 'default', nodeId: 0 })).toBe('web-rep-3');
    expect(displayContainerId({ service: 'web', replica: 3, role: 'job', nodeId: 7 })).toBe('web-job-3-on-7');
  });

  it('parses what it displays, services with dashes included', () => {
    const id = fc.record({
      service: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
      replica: fc.nat(1000),
      role: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
      nodeId: fc.nat(100),
    });
    fc.assert(
      fc.property(id, (value) => {
        expect(parseContainerId(displayContainerId(value))).toEqual(value);
      }),
    );
    expect(parseContainerId('nonsense')).toBeUndefined();
  });
});

describe('normaliseImageReference', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['docker.io/library/alpine:latest', 'docker.io/library/alpine:latest'],
    ['acme/app', 'docker.io/acme/app:latest'],
    ['ghcr.io/acme/tool:2', 'ghcr.io/acme/tool:2'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['alpine@sha256:abc', 'docker.io/library/alpine@sha256:abc'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseImageReference(input)).toBe(expected);
    expect(normaliseImageReference(expected)).toBe(expected);
  });
});

describe('runtime errors', () => {
  it('carry stable codes and their fields', () => {
    const route = new RouteToPeerError('svc', 'linux', 'add a Linux peer');
    expect(route).toMatchObject({ code: 'ERR_RUNTIME_ROUTE_TO_PEER', service: 'svc', requiredOs: 'linux' });
    expect(route.message).toContain("service 'svc' requires OS 'linux'");
    expect(new WrongPlatformError('hcs', 'windows', 'linux', 'alpine')).toMatchObject({
      code: 'ERR_RUNTIME_WRONG_PLATFORM',
      image: 'alpine',
    });
  });
});
