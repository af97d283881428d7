import { describe, expect, it } from 'vitest';
import { createWorkloadRegistry } from './workload-registry.js';

const id = (head: string, fill = '0'): string => head + fill.repeat(64 - head.length);

describe('WorkloadRegistry', () => {
  it('answers synchronously', () => {
    const registry = createWorkloadRegistry();
    registry.record(id('abcd'), 'native');
    expect(registry.lookup('abcd')).toEqual({ kind: 'found', role: 'native' });
  });

  it('lists ambiguous roles sorted and once each', () => {
    const registry = createWorkloadRegistry();
    registry.record(id('abcd', '1'), 'rosetta');
    registry.record(id('abcd', '2'), 'native');
    registry.record(id('abcd', '3'), 'amd64');
    registry.record(id('abcd', '4'), 'native');
    expect(registry.lookup('abcd')).toEqual({ kind: 'ambiguous', roles: ['amd64', 'native', 'rosetta'] });
  });

  it('indexes only recorded 64-hex keys for prefix lookups', () => {
    const registry = createWorkloadRegistry();
    registry.record(id('abcd'), 'native');
    registry.record('abcdef', 'amd64');
    registry.addAlias(id('abcd'), id('abcd', '1'));
    expect(registry.lookup('abcd')).toEqual({ kind: 'found', role: 'native' });
    registry.forget(id('abcd'));
    expect(registry.lookup('abcd')).toEqual({ kind: 'missing' });
  });

  it('holds no key after every workload is forgotten', () => {
    const registry = createWorkloadRegistry();
    registry.record(id('a1'), 'native');
    registry.record(id('b2'), 'amd64');
    registry.addAlias(id('a1'), 'web');
    registry.addAlias('web', 'web2');
    registry.addAlias(id('b2'), 'web');
    registry.record('web2', 'amd64');
    registry.addAlias('web2', 'x');
    registry.renameAlias(id('a1'), 'db');
    for (const key of [id('a1'), id('b2'), 'web2']) registry.forget(key);
    expect(registry.size).toBe(0);
  });
});
