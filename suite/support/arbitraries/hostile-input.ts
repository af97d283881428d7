import fc from 'fast-check';

/** Pieces that steer path and ID handling: traversal, encoded separators, NUL, overlong UTF-8. */
const ID_PIECES = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E',
  '%2F',
  '%2f',
  '%5C',
  '%00',
  '%252F',
  '%252e%252e',
  '%C0%AF',
  '%E0%80%AF',
  '%C0%AE',
  '%0D%0A',
  '%0A',
  '%20',
  '%',
  '%zz',
  ';',
  '~',
  'etc',
  'abc',
  'json',
  '%E2%80%AE',
  '%F0%9F%90%B3',
  '0123456789ab',
] as const;

/** A workload ID made of hostile pieces (raw `/` included), as it would sit in a request target. */
export const hostileIdArb: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...ID_PIECES), fc.constant('/')), { minLength: 1, maxLength: 8 })
  .map((pieces) => pieces.join(''))
  .filter((id) => id !== '' && !id.startsWith('/'));

/** What follows the ID: the endpoints clients use most, read-only and destructive. */
const SUFFIXES = ['/json', '/logs?stdout=1', '', '/top', '/stop?t=0', '/kill'] as const;

export interface HostileRequestLine {
  readonly method: string;
  readonly target: string;
}

/** A request line naming a hostile ID under /containers or /exec, with or without a version prefix. */
export const hostileIdRequestArb: fc.Arbitrary<HostileRequestLine> = fc
  .record({
    prefix: fc.constantFrom('/v1.41', '', '/v1.41/..', '/v1.41/%2e%2e', '/v1.41/../v1.41'),
    area: fc.constantFrom('containers', 'exec'),
    id: hostileIdArb,
    suffix: fc.constantFrom(...SUFFIXES),
  })
  .map(({ prefix, area, id, suffix }) => {
    const method =
      suffix === '' ? 'DELETE' : suffix.startsWith('/stop') || suffix === '/kill' ? 'POST' : 'GET';
    return { method, target: `${prefix}/${area}/${id}${suffix}` };
  });

/** Platform strings no role can run and no daemon accepts: extra, dot or empty segments, non-ASCII. */
export const hostilePlatformArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.constantFrom('linux', 'amd64', 'arm64', '..', '.', '', 'x', 'v8', 'ämd64', 'linux\u0000', '💥'),
      {
        minLength: 4,
        maxLength: 7,
      },
    )
    .map((parts) => parts.join('/')),
  fc
    .tuple(
      fc.constantFrom('linux/', 'linux/amd64/', ''),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
    )
    .map(([base, tail]) => `${base}${tail}/../x`),
  fc
    .string({ unit: fc.constantFrom('ä', 'é', '中', '\u202e', '\u0000', ' '), minLength: 1, maxLength: 6 })
    .map((text) => `linux/${text}`),
);

/** Container names outside Docker's grammar `[a-zA-Z0-9][a-zA-Z0-9_.-]+`. */
export const hostileNameArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.string({ unit: fc.constantFrom('a', 'b', '1'), minLength: 1, maxLength: 4 }),
      fc.constantFrom('ü', 'é', '中', '🐳', '/', '\\', '/..', ' ', '\u0000', '\r\n', '%', '?', '#', '\u202e'),
      fc.string({ unit: fc.constantFrom('a', '.', '-', '_'), maxLength: 4 }),
    )
    .map(([head, bad, tail]) => `${head}${bad}${tail}`),
  fc.constantFrom('-leading-dash', '.hidden', '_under', 'a'),
);

/**
 * Request heads a careful HTTP/1.1 server rejects: each a valid head with one defect injected
 * (bare LF, bare CR, obs-fold, NUL, space before the colon, a bad request line).
 */
export const malformedHeadArb: fc.Arbitrary<string> = fc
  .record({
    defect: fc.constantFrom(
      'bare-lf',
      'cr-in-value',
      'nul-in-value',
      'obs-fold',
      'space-before-colon',
      'no-colon',
      'two-spaces',
      'no-version',
      'ctl-in-target',
      'lf-in-target',
    ),
    value: fc.string({ unit: fc.constantFrom('a', 'b', '1', '-', ' '), minLength: 1, maxLength: 12 }),
  })
  .map(({ defect, value }) => {
    const line = (target = '/v1.41/info'): string => `GET ${target} HTTP/1.1`;
    const head = (start: string, fields: string[]): string =>
      [start, 'Host: berth', ...fields, '', ''].join('\r\n');
    switch (defect) {
      case 'bare-lf':
        return `${line()}\nHost: berth\r\nX-A: ${value}\r\n\r\n`;
      case 'cr-in-value':
        return head(line(), [`X-A: ${value}\rX-Injected: 1`]);
      case 'nul-in-value':
        return head(line(), [`X-A: ${value}\u0000`]);
      case 'obs-fold':
        return head(line(), ['X-A: one', ` ${value}`]);
      case 'space-before-colon':
        return head(line(), [`Content-Length : 0`, `X-A: ${value}`]);
      case 'no-colon':
        return head(line(), [`X-A ${value}`]);
      case 'two-spaces':
        return head(`GET  /v1.41/info HTTP/1.1`, [`X-A: ${value}`]);
      case 'no-version':
        return head(`GET /v1.41/info`, [`X-A: ${value}`]);
      case 'ctl-in-target':
        return head(line(`/v1.41/containers/a\u0001${value.replace(/ /g, '')}/json`), []);
      case 'lf-in-target':
        return head(line(`/v1.41/containers/a\rX-Injected: 1/json`), []);
    }
  });
