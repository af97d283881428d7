import { describe, expect, it } from 'vitest';
import { getHeader, getHeaderValues, type HeaderList } from './header-list.js';

const list: HeaderList = [
  ['Connection', 'Upgrade'],
  ['X-Dup', 'one'],
  ['upgrade', 'tcp'],
  ['x-dup', 'two'],
];

describe('getHeader', () => {
  it('returns the first value, matching names case-insensitively', () => {
    expect(getHeader(list, 'UPGRADE')).toBe('tcp');
    expect(getHeader(list, 'x-DUP')).toBe('one');
  });

  it('returns undefined for an absent name', () => {
    expect(getHeader(list, 'Content-Type')).toBeUndefined();
  });
});

describe('getHeaderValues', () => {
  it('returns every value in wire order', () => {
    expect(getHeaderValues(list, 'X-Dup')).toEqual(['one', 'two']);
    expect(getHeaderValues(list, 'Host')).toEqual([]);
  });
});
