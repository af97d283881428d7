import { describe, expect, it } from 'vitest';
import { capApiVersion, guestRequestHeaders } from './forwarded-headers.js';

describe('forwarded headers', () => {
  it('caps Api-Version at 1.41 and rewrites Host', () => {
    expect(capApiVersion('1.45')).toBe('1.41');
    expect(capApiVersion('1.40')).toBe('1.40');
    expect(capApiVersion('2.0')).toBe('1.41');
    expect(
      guestRequestHeaders([
        ['Host', 'api.moby.localhost'],
        ['Connection', 'X-A'],
        ['X-A', '1'],
        ['Expect', '100-continue'],
        ['X-Registry-Auth', 'e30='],
      ]),
    ).toEqual([
      ['Host', 'localhost'],
      ['X-Registry-Auth', 'e30='],
    ]);
  });
});
