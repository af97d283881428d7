import { describe, expect, it } from 'vitest';
import {
  buildCacheKey,
  parseRepositoryAndTag,
  pullTarget,
  repositoryProblem,
  snapshotTarget,
} from './snapshot-reference.js';

const CID = 'f'.repeat(64);

describe('parseRepositoryAndTag', () => {
  it('takes the tag only after the last slash', () => {
    expect(parseRepositoryAndTag('host:5000/repo:tag')).toEqual({ repository: 'host:5000/repo', tag: 'tag' });
    expect(parseRepositoryAndTag('host:5000/repo')).toEqual({ repository: 'host:5000/repo', tag: undefined });
    expect(parseRepositoryAndTag('busybox')).toEqual({ repository: 'busybox', tag: undefined });
  });
});

describe('pullTarget', () => {
  it('pulls latest for an untagged name and keeps digests whole', () => {
    expect(pullTarget('busybox')).toEqual({ fromImage: 'busybox', tag: 'latest' });
    expect(pullTarget('host:5000/a/b:1.2')).toEqual({ fromImage: 'host:5000/a/b', tag: '1.2' });
    expect(pullTarget(`busybox@sha256:${'a'.repeat(64)}`)).toEqual({
      fromImage: `busybox@sha256:${'a'.repeat(64)}`,
      tag: '',
    });
  });
});

describe('repositoryProblem', () => {
  it('accepts lower-case paths and registry hosts', () => {
    for (const repo of ['a', 'a/b', 'a-b/c__d', 'a.b', 'localhost/x', 'Registry.Example.com:5000/x']) {
      expect(repositoryProblem(repo), repo).toBeUndefined();
    }
  });

  it('rejects upper case, empty components and bad separators', () => {
    for (const repo of ['', 'A', 'a//b', 'a/', '-a', 'a___b', 'a_-b', 'x'.repeat(256)]) {
      expect(repositoryProblem(repo), repo).toBeTypeOf('string');
    }
  });
});

describe('snapshotTarget', () => {
  it('names ephemeral snapshots after the container', () => {
    expect(snapshotTarget({ kind: 'ephemeral' }, CID)).toEqual({ repository: 'ephemeral', tag: CID });
  });

  it('splits cached keys and tags untagged ones with the container ID', () => {
    expect(snapshotTarget({ kind: 'cached', key: 'harmont-cache/build:0123abcd' }, CID)).toEqual({
      repository: 'harmont-cache/build',
      tag: '0123abcd',
    });
    expect(snapshotTarget({ kind: 'cached', key: 'host:5000/repo' }, CID)).toEqual({
      repository: 'host:5000/repo',
      tag: CID,
    });
  });

  it('rejects invalid keys with a typed error', () => {
    for (const key of ['Upper:tag', 'a:-tag', `a@sha256:${'0'.repeat(64)}`, '']) {
      expect(() => snapshotTarget({ kind: 'cached', key }, CID), key).toThrow(
        expect.objectContaining({ code: 'ERR_SNAPSHOT_INVALID_KEY' }),
      );
    }
  });
});

describe('buildCacheKey', () => {
  it('sanitises like upstream but in lower case', () => {
    expect(buildCacheKey('my/step.name:v1', '0123456789abcdef')).toBe(
      'berth-cache/my-step-name-v1:0123456789abcdef',
    );
    expect(buildCacheKey('Build', 'ABCDEF')).toBe('berth-cache/build:abcdef');
  });

  it('slices by code point and never yields an empty part', () => {
    expect(buildCacheKey('', '')).toBe('berth-cache/x:x');
    expect(buildCacheKey('--', '😀/a')).toBe('berth-cache/x:a');
  });
});
