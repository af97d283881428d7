import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIdArb } from '../../suite/support/arbitraries/registry.js';
import { SortedKeyIndex } from './sorted-key-index.js';

type Operation = { readonly add: string } | { readonly remove: string };

const keyArb = fc.oneof(canonicalIdArb, fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 4 }));
const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  keyArb.map((add) => ({ add })),
  keyArb.map((remove) => ({ remove })),
);

describe('SortedKeyIndex', () => {
  it('starts empty', () => {
    const index = new SortedKeyIndex();
    expect(index.size).toBe(0);
    expect([...index]).toEqual([]);
    expect([...index.withPrefix('')]).toEqual([]);
    expect(index.has('a')).toBe(false);
    expect(index.delete('a')).toBe(false);
  });

  it('reports whether add and delete changed the set', () => {
    const index = new SortedKeyIndex();
    expect(index.add('b')).toBe(true);
    expect(index.add('b')).toBe(false);
    expect(index.delete('b')).toBe(true);
    expect(index.delete('b')).toBe(false);
  });

  it('enumerates exactly the keys with a prefix, in order, across chunk boundaries', () => {
    const index = new SortedKeyIndex();
    // 5000 keys split into several chunks; `ab` keys straddle many of them.
    const keys = Array.from(
      { length: 5000 },
      (_, n) => (n % 3 === 0 ? 'ab' : 'ac') + String(n).padStart(5, '0'),
    );
    for (const key of [...keys].reverse()) index.add(key);
    const expected = keys.filter((key) => key.startsWith('ab')).sort();
    expect([...index.withPrefix('ab')]).toEqual(expected);
    expect([...index.withPrefix('ab00')]).toEqual(expected.filter((key) => key.startsWith('ab00')));
    expect([...index.withPrefix('ad')]).toEqual([]);
    expect([...index.withPrefix('')]).toHaveLength(5000);
  });

  it('keeps working when chunks empty out', () => {
    const index = new SortedKeyIndex();
    const keys = Array.from({ length: 3000 }, (_, n) => String(n).padStart(4, '0'));
    for (const key of keys) index.add(key);
    for (const key of keys.slice(0, 2500)) expect(index.delete(key)).toBe(true);
    expect([...index]).toEqual(keys.slice(2500));
    expect([...index.withPrefix('29')]).toEqual(keys.filter((key) => key.startsWith('29')));
    for (const key of keys.slice(2500)) index.delete(key);
    expect(index.size).toBe(0);
    index.add('x');
    expect([...index]).toEqual(['x']);
  }, 30_000); // a property test: about 1 s alone, several on a busy machine

  it('behaves as a sorted set under any sequence of adds and deletes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(operationArb, { maxLength: 300 }),
        fc.array(keyArb, { maxLength: 10 }),
        (chunkSize, operations, probes) => {
          // Tiny chunks, so a few hundred operations split and empty many of them.
          const index = new SortedKeyIndex(chunkSize);
          const model = new Set<string>();
          for (const operation of operations) {
            if ('add' in operation) expect(index.add(operation.add)).toBe(!model.has(operation.add));
            else expect(index.delete(operation.remove)).toBe(model.has(operation.remove));
            if ('add' in operation) model.add(operation.add);
            else model.delete(operation.remove);
          }
          const sorted = [...model].sort();
          expect([...index]).toEqual(sorted);
          expect(index.size).toBe(model.size);
          for (const probe of probes) {
            expect(index.has(probe)).toBe(model.has(probe));
            for (const length of [0, 1, 4, 8]) {
              const prefix = probe.slice(0, length);
              expect([...index.withPrefix(prefix)]).toEqual(sorted.filter((key) => key.startsWith(prefix)));
            }
          }
        },
      ),
    );
  }, 30_000); // a property test: about 1 s alone, several on a busy machine
});
