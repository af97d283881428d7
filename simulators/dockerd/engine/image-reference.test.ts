import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import {
  familiarString,
  fullName,
  parseAnyReference,
  parseNormalizedNamed,
  pathMatch,
  withDefaultTag,
} from './image-reference.js';

useLeakCheck();

describe('image references (distribution/reference)', () => {
  it('normalises names as dockerd does', () => {
    expect(fullName(parseNormalizedNamed('busybox'))).toBe('docker.io/library/busybox');
    expect(fullName(parseNormalizedNamed('local/busybox:1'))).toBe('docker.io/local/busybox');
    expect(familiarString(parseNormalizedNamed('docker.io/local/busybox:1'))).toBe('local/busybox:1');
    expect(familiarString(withDefaultTag(parseNormalizedNamed('myreg:5000/x/y')))).toBe(
      'myreg:5000/x/y:latest',
    );
    expect(parseAnyReference('a'.repeat(64))).toEqual({ id: `sha256:${'a'.repeat(64)}` });
  });

  it.each([
    ['Bad_Repo', 'invalid reference format: repository name must be lowercase'],
    ['bad name', 'invalid reference format'],
    ['', 'invalid reference format'],
    [
      'a'.repeat(64),
      `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`,
    ],
  ])('rejects %j', (text, message) => {
    expect(() => parseNormalizedNamed(text)).toThrow(expect.objectContaining({ message }));
  });

  it('matches reference filters with Go path.Match: "*" never crosses "/"', () => {
    expect(pathMatch('*', 'busybox')).toBe(true);
    expect(pathMatch('*', 'local/busybox')).toBe(false);
    expect(pathMatch('local/*', 'local/busybox')).toBe(true);
    expect(pathMatch('*/*:2', 'local/cm:2')).toBe(true);
    expect(pathMatch('local/b?sybox:[0-9]', 'local/busybox:1')).toBe(true);
    expect(() => pathMatch('[', 'x')).toThrow(
      expect.objectContaining({ message: 'syntax error in pattern' }),
    );
  });
});
