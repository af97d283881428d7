import { BerthError } from '../../../protocol/errors.js';

/** One piece of a word: literal text, a parameter ($x, ${x}, $?, $@, ...) or $(command). */
export type WordPart =
  | { readonly kind: 'literal'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'param'; readonly name: string; readonly quoted: boolean }
  | { readonly kind: 'command'; readonly body: ShellList; readonly quoted: boolean };

export type Word = readonly WordPart[];

export interface Redirect {
  /** The file descriptor redirected (0 for `<`, 1 for `>` unless a digit is given). */
  readonly fd: number;
  readonly op: '>' | '>>' | '<' | '>&' | '<&';
  readonly target: Word;
}

export interface Assignment {
  readonly name: string;
  readonly value: Word;
}

export interface SimpleCommand {
  readonly kind: 'simple';
  readonly assignments: readonly Assignment[];
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
}

/** `( list )` (a subshell) or `{ list; }` (a group in the current shell). */
export interface GroupCommand {
  readonly kind: 'group';
  readonly subshell: boolean;
  readonly body: ShellList;
  readonly redirects: readonly Redirect[];
}

export type ShellCommand = SimpleCommand | GroupCommand;

export interface Pipeline {
  readonly negate: boolean;
  readonly commands: readonly ShellCommand[];
}

export interface AndOr {
  readonly first: Pipeline;
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[];
  readonly background: boolean;
}

export type ShellList = readonly AndOr[];

/** A script busybox ash would reject; `sh` prints "sh: syntax error: <detail>" and exits 2. */
export class ShellSyntaxError extends BerthError {
  readonly code = 'ERR_DOCKERD_SHELL_SYNTAX';
  constructor(readonly detail: string) {
    super(`syntax error: ${detail}`);
  }
}
