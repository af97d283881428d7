import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { MemoryFs, joinPath } from './memory-fs.js';

useLeakCheck();

const tree = (): MemoryFs => {
  const fs = new MemoryFs(() => 1_000_000_000n);
  fs.mkdir('/bin');
  fs.writeFile('/bin/busybox', 'elf', { mode: 0o755 });
  fs.symlink('busybox', '/bin/sh');
  fs.symlink('/bin', '/usr-bin');
  fs.symlink('loop-b', '/loop-a');
  fs.symlink('loop-a', '/loop-b');
  return fs;
};

describe('MemoryFs', () => {
  it('resolves relative and absolute symlinks, and lstat keeps the final link', () => {
    const fs = tree();
    expect(fs.stat('/bin/sh')?.kind).toBe('file');
    expect(fs.lstat('/bin/sh')?.kind).toBe('symlink');
    expect(fs.resolve('/usr-bin/sh').path).toBe('/bin/busybox');
    expect(fs.readFile('sh', '/bin').toString()).toBe('elf');
    expect(fs.resolve('/bin/../bin/./sh', { followFinal: false }).path).toBe('/bin/sh');
  });

  it('reports POSIX errors with their errno', () => {
    const fs = tree();
    expect(() => fs.readFile('/nope')).toThrow(
      expect.objectContaining({ code: 'ERR_DOCKERD_FS', errno: 'ENOENT' }),
    );
    expect(() => fs.readFile('/bin')).toThrow(expect.objectContaining({ errno: 'EISDIR' }));
    expect(() => fs.stat('/loop-a/x') ?? fs.resolve('/loop-a')).toThrow(
      expect.objectContaining({ errno: 'ELOOP' }),
    );
    expect(() => fs.writeFile('/bin/busybox/x', '')).toThrow(expect.objectContaining({ errno: 'ENOTDIR' }));
    expect(() => fs.mkdir('/bin')).toThrow(expect.objectContaining({ errno: 'EEXIST' }));
    expect(() => fs.remove('/bin')).toThrow(expect.objectContaining({ errno: 'ENOTEMPTY' }));
  });

  it('appends, creates parents with mkdir -p, and clones deeply', () => {
    const fs = tree();
    fs.writeFile('/log', 'a');
    fs.writeFile('/log', 'b', { append: true });
    fs.mkdir('/x/y/z', { parents: true });
    const copy = fs.clone();
    copy.writeFile('/log', 'changed');
    expect(fs.readFile('/log').toString()).toBe('ab');
    expect(copy.readdir('/')).toEqual(['bin', 'log', 'loop-a', 'loop-b', 'usr-bin', 'x']);
    expect(joinPath('/a/b', '../../../c')).toBe('/c');
  });
});
