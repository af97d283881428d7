import fc from 'fast-check';

/** Step keys as pipelines write them: mixed case, separators, dots, colons, slashes and non-ASCII. */
export const stepKeyArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('build', 'my/step.name:v1', 'Build_Linux', '--lead', '___', '', 'a__b', 'Ünïcode-step'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-', '.', '/', ':', ' ', 'é'), maxLength: 24 }),
);

/** Cache keys: hex digests, but also free text with separators and astral characters. */
export const cacheKeyArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 64 }),
  fc.string({ maxLength: 32, unit: 'grapheme' }),
  fc.constantFrom('', '-leading', '.dot', 'UPPER/case:x', '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀'),
);

/** Registry hosts with and without ports, for keys like `host:5000/repo:tag`. */
export const registryHostArb: fc.Arbitrary<string> = fc.constantFrom(
  'localhost:5000',
  'registry.example.com:443',
  'host.internal:5000',
  '127.0.0.1:5000',
  'registry.example.com',
);

/** Lower-case repository paths (one or two components). */
export const repositoryPathArb: fc.Arbitrary<string> = fc
  .array(fc.stringMatching(/^[a-z0-9]{1,6}(?:[-_.][a-z0-9]{1,4})?$/), { minLength: 1, maxLength: 2 })
  .map((parts) => parts.join('/'));

export const tagArb: fc.Arbitrary<string> = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,15}$/);
