import fc from 'fast-check';
import type { Role } from '../../../protocol/connector.js';

const HEX_DIGITS = [...'0123456789abcdef'];

/** Fixed 4-character heads, so generated IDs often share their first 4 to 12 characters. */
const HEADS = ['abcd', 'abce', 'deed', '0123'];

/**
 * Canonical 64-hex IDs built to collide on prefixes: one of four heads, then 8 characters of
 * only `0`/`1`, then free hex. Two IDs share 4 characters often and 8 to 12 characters now and then.
 */
export const canonicalIdArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...HEADS),
    fc.string({ unit: fc.constantFrom('0', '1'), minLength: 8, maxLength: 8 }),
    fc.string({ unit: fc.constantFrom(...HEX_DIGITS), minLength: 52, maxLength: 52 }),
  )
  .map((parts) => parts.join(''));

/** Container names: plain, with Docker's leading slash, and one that is itself short hex. */
export const containerNameArb: fc.Arbitrary<string> = fc.constantFrom(
  'web',
  '/web',
  'db',
  '/db',
  'api-1',
  'abcd',
);

/** The identifiers one model run works with; commands draw every key from here. */
export interface RegistryUniverse {
  /** Two or three roles. */
  readonly roles: readonly Role[];
  readonly canonicals: readonly string[];
  readonly execIds: readonly string[];
  readonly names: readonly string[];
}

export const registryUniverseArb: fc.Arbitrary<RegistryUniverse> = fc
  .record({
    roles: fc.constantFrom<readonly Role[]>(['native', 'amd64'], ['native', 'amd64', 'rosetta']),
    ids: fc.uniqueArray(canonicalIdArb, { minLength: 2, maxLength: 6 }),
    execCount: fc.nat({ max: 3 }),
    names: fc.uniqueArray(containerNameArb, { minLength: 1, maxLength: 4 }),
  })
  .map(({ roles, ids, execCount, names }) => {
    const execs = Math.min(execCount, ids.length - 1);
    return { roles, canonicals: ids.slice(execs), execIds: ids.slice(0, execs), names };
  });

/** Every exact key of a universe, plus the awkward ones: empty, an upper-cased ID, a slashed ID. */
export function exactKeys(universe: RegistryUniverse): string[] {
  const first = universe.canonicals[0] ?? '';
  return [
    ...universe.canonicals,
    ...universe.execIds,
    ...universe.names,
    '',
    first.toUpperCase(),
    `/${first}`,
  ];
}

/** A key for record, addAlias, renameAlias and forget. */
export function keyArb(universe: RegistryUniverse): fc.Arbitrary<string> {
  return fc.constantFrom(...exactKeys(universe));
}

/** The first argument of addAlias/renameAlias: mostly an ID, so the call usually takes effect. */
export function ownerKeyArb(universe: RegistryUniverse): fc.Arbitrary<string> {
  const ids = [...universe.canonicals, ...universe.execIds];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...ids), weight: 3 },
    { arbitrary: keyArb(universe), weight: 1 },
  );
}

/** The alias argument: mostly a name, sometimes any key (an ID, empty, slashed). */
export function aliasKeyArb(universe: RegistryUniverse): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...universe.names), weight: 3 },
    { arbitrary: keyArb(universe), weight: 1 },
  );
}

/** A key for lookup: any exact key, or a 3..63-character prefix of an ID, or a plain name. */
export function lookupKeyArb(universe: RegistryUniverse): fc.Arbitrary<string> {
  const ids = [...universe.canonicals, ...universe.execIds];
  const prefix = fc
    .tuple(fc.constantFrom(...ids), fc.constantFrom(3, 4, 5, 8, 9, 12, 13, 63))
    .map(([id, length]) => id.slice(0, length));
  const head = fc.constantFrom(...HEADS, 'ABCD', 'alpine');
  return fc.oneof(keyArb(universe), prefix, head);
}

export function roleArb(universe: RegistryUniverse): fc.Arbitrary<Role> {
  return fc.constantFrom(...universe.roles);
}
