import { describe, expect, it } from 'vitest';
import { FakeRuntime, MockRuntime } from '../../simulators/runtimes/index.js';
import { createCompositeRuntime } from './composite-runtime.js';
import { logChunksFromSnapshot, statsSampleFromSnapshot } from './one-shot-streams.js';
import { ReadFailures } from './read-failures.js';
import { RuntimeInternalError, RuntimeNotFoundError } from '../../protocol/runtime-errors.js';

const id = { service: 'svc', replica: 1 };

describe('CompositeRuntime image-OS cache', () => {
  it('learns on a found OS, keeps it on nothing, and treats spellings alike', () => {
    const composite = createCompositeRuntime({
      primary: new FakeRuntime('p'),
      delegate: new FakeRuntime('d'),
    });
    composite.applyImageOs('alpine', 'linux');
    composite.applyImageOs('docker.io/library/alpine:latest', undefined);
    expect(composite.knownImageOs('alpine:latest')).toBe('linux');
    expect(composite.selectFor(id, { image: 'docker.io/library/alpine', labels: {} })).toBe('delegate');
  });

  it('reports the owner it recorded', async () => {
    const composite = createCompositeRuntime({ primary: new MockRuntime('p') });
    await composite.createContainer(id, { image: 'x', labels: {} });
    expect(composite.ownerOf(id)).toBe('primary');
  });
});

describe('ReadFailures', () => {
  it('prefers the latest soft error, then NotFound, then Unsupported', () => {
    const failures = new ReadFailures();
    expect(failures.toError('x')).toMatchObject({ code: 'ERR_RUNTIME_UNSUPPORTED' });
    failures.note(new RuntimeNotFoundError('c', 'r'));
    expect(failures.toError('x')).toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
    failures.note(new RuntimeInternalError('a'));
    failures.note(new RuntimeNotFoundError('c', 'r'));
    expect(failures.toError('x')).toMatchObject({ code: 'ERR_RUNTIME_INTERNAL' });
  });
});

describe('one-shot streams', () => {
  it('saturates CPU time and zeroes other counters', () => {
    const sample = statsSampleFromSnapshot(
      { cpuUsageUsec: Number.MAX_SAFE_INTEGER, memoryBytes: 1, memoryLimit: 2 },
      new Date(0),
    );
    expect(sample).toMatchObject({
      cpuTotalNs: Number.MAX_SAFE_INTEGER,
      pids: 0,
      timestamp: '1970-01-01T00:00:00.000Z',
    });
  });

  it('yields nothing for an empty snapshot', async () => {
    const chunks = [];
    for await (const chunk of logChunksFromSnapshot([], {})) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });
});
