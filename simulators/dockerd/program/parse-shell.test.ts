import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { parseShell } from './parse-shell.js';
import { ShellSyntaxError, type SimpleCommand, type Word } from './shell-syntax.js';

useLeakCheck();

const text = (word: Word): string =>
  word
    .map((part) => (part.kind === 'literal' ? part.text : `$${part.kind === 'param' ? part.name : '(...)'}`))
    .join('');
const first = (script: string): SimpleCommand => {
  const command = parseShell(script)[0]?.first.commands[0];
  if (command?.kind !== 'simple') throw new Error('not a simple command');
  return command;
};

describe('parseShell', () => {
  it('splits lists on ; and newlines, and keeps && / || chains', () => {
    const list = parseShell('a; b && c || d\ne &');
    expect(list).toHaveLength(3);
    expect(list[1]?.rest.map((step) => step.op)).toEqual(['&&', '||']);
    expect(list[2]?.background).toBe(true);
  });

  it('keeps quoted text literal and marks expansions', () => {
    const command = first(`echo "a  b" 'c $HOME' $HOME "\${X}y" \\$z`);
    expect(command.words.map(text)).toEqual(['echo', 'a  b', 'c $HOME', '$HOME', '$Xy', '$z']);
    const single = command.words[2]?.[0];
    expect(single).toMatchObject({ kind: 'literal', quoted: true, text: 'c $HOME' });
  });

  it('reads redirections with and without a file descriptor', () => {
    const command = first('echo hi >&2 2>>/tmp/log 1>&2 > out < in');
    expect(command.redirects.map((r) => [r.fd, r.op, text(r.target)])).toEqual([
      [1, '>&', '2'],
      [2, '>>', '/tmp/log'],
      [1, '>&', '2'],
      [1, '>', 'out'],
      [0, '<', 'in'],
    ]);
  });

  it('takes leading NAME=value words as assignments', () => {
    const command = first('A=1 B="two words" env x=3');
    expect(command.assignments.map((a) => [a.name, text(a.value)])).toEqual([
      ['A', '1'],
      ['B', 'two words'],
    ]);
    expect(command.words.map(text)).toEqual(['env', 'x=3']);
  });

  it('parses pipelines, negation, groups and command substitution', () => {
    const [andOr] = parseShell('! echo a | cat; { echo b; } ; (exit 3); echo $(echo c)');
    expect(andOr?.first.negate).toBe(true);
    expect(andOr?.first.commands).toHaveLength(2);
    const list = parseShell('{ echo b; }; (exit 3)');
    expect(list.map((item) => item.first.commands[0]?.kind)).toEqual(['group', 'group']);
    const sub = first('echo $(echo c)').words[1]?.[0];
    expect(sub?.kind).toBe('command');
  });

  it.each([
    ['echo "unterminated', 'unterminated quoted string'],
    ["echo 'open", 'unterminated quoted string'],
    ['&& echo', 'unexpected "&&"'],
    ['echo a ;; echo b', 'unexpected ";"'],
    ['if true; then echo; fi', "'if' is not supported by the simulated shell"],
  ])('rejects %j', (script, detail) => {
    let caught: unknown;
    try {
      parseShell(script);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ShellSyntaxError);
    expect((caught as ShellSyntaxError).code).toBe('ERR_DOCKERD_SHELL_SYNTAX');
    expect((caught as ShellSyntaxError).detail).toBe(detail);
  });

  it('ignores comments and escaped newlines', () => {
    const list = parseShell('echo a # comment\necho \\\nb');
    expect(list).toHaveLength(2);
    const second = list[1]?.first.commands[0] as SimpleCommand;
    expect(second.words.map(text)).toEqual(['echo', 'b']);
  });
});
