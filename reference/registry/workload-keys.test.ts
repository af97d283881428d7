import { describe, expect, it } from 'vitest';
import { isCanonicalId, isHexShortId, normaliseKey } from './workload-keys.js';

describe('isHexShortId', () => {
  it('accepts 4 to 63 hex digits in either case', () => {
    expect(isHexShortId('abcd')).toBe(true);
    expect(isHexShortId('ABCD')).toBe(true);
    expect(isHexShortId('f'.repeat(63))).toBe(true);
  });

  it('refuses shorter, longer and non-hex strings', () => {
    expect(isHexShortId('abc')).toBe(false);
    expect(isHexShortId('f'.repeat(64))).toBe(false);
    expect(isHexShortId('alpine')).toBe(false);
    expect(isHexShortId('/abcd')).toBe(false);
  });
});

describe('isCanonicalId', () => {
  it('accepts exactly 64 hex digits', () => {
    expect(isCanonicalId('a'.repeat(64))).toBe(true);
    expect(isCanonicalId('A'.repeat(64))).toBe(true);
    expect(isCanonicalId('a'.repeat(63))).toBe(false);
    expect(isCanonicalId('g'.repeat(64))).toBe(false);
  });
});

describe('normaliseKey', () => {
  it('drops one leading slash and keeps a lone slash', () => {
    expect(normaliseKey('/web')).toBe('web');
    expect(normaliseKey('web')).toBe('web');
    expect(normaliseKey('//web')).toBe('/web');
    expect(normaliseKey('/')).toBe('/');
    expect(normaliseKey('')).toBe('');
  });
});
