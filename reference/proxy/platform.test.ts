import { describe, expect, it } from 'vitest';
import { formatPlatform, parsePlatform, selectRoleForPlatform } from './platform.js';

const roles = [
  { role: 'native', platforms: ['linux/arm64'] },
  { role: 'amd64', platforms: ['linux/amd64'] },
];

describe('parsePlatform', () => {
  it.each([
    ['linux/amd64', 'linux/amd64'],
    ['amd64', 'linux/amd64'],
    ['x86_64', 'linux/amd64'],
    [' LINUX/X86_64 ', 'linux/amd64'],
    ['aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm/v7', 'linux/arm/v7'],
  ])('%j is %s', (text, expected) => {
    expect(formatPlatform(parsePlatform(text)!)).toBe(expected);
  });

  it.each([
    '',
    'linux/',
    'a/b/c/d',
    'linux amd64',
    'linux/../x',
    '../amd64',
    'linux/amd64/v8.0',
    'linux/ämd64',
  ])('%j is not a platform', (text) => {
    expect(parsePlatform(text)).toBeUndefined();
  });
});

describe('selectRoleForPlatform', () => {
  it('picks the role that runs the platform, or none', () => {
    expect(selectRoleForPlatform(roles, parsePlatform('x86_64')!)).toBe('amd64');
    expect(selectRoleForPlatform(roles, parsePlatform('linux/amd64/v3')!)).toBe('amd64');
    expect(selectRoleForPlatform(roles, parsePlatform('arm64')!)).toBe('native');
    expect(selectRoleForPlatform(roles, parsePlatform('linux/arm/v7')!)).toBeUndefined();
    expect(selectRoleForPlatform(roles, parsePlatform('windows/amd64')!)).toBeUndefined();
  });
});
