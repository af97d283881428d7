import {
  ShellSyntaxError,
  type AndOr,
  type Assignment,
  type Pipeline,
  type Redirect,
  type ShellCommand,
  type ShellList,
  type Word,
  type WordPart,
} from './shell-syntax.js';

type Operator = ';' | '&' | '&&' | '||' | '|' | '(' | ')' | '\n' | '>' | '>>' | '<' | '>&' | '<&';

type Token =
  | { readonly kind: 'word'; readonly word: Word; readonly raw: string }
  | { readonly kind: 'op'; readonly op: Operator; readonly fd: number | undefined }
  | { readonly kind: 'end' };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SPECIAL_PARAMS = '?#@*$!0123456789-';

/** Splits a script into tokens (quotes, escapes, $-expansions and operators of a POSIX sh subset). */
class Lexer {
  #pos = 0;
  constructor(readonly source: string) {}

  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const token = this.#next();
      out.push(token);
      if (token.kind === 'end') return out;
    }
  }

  #next(): Token {
    const s = this.source;
    while (this.#pos < s.length) {
      const c = s[this.#pos];
      if (c === ' ' || c === '\t') this.#pos += 1;
      else if (c === '\\' && s[this.#pos + 1] === '\n') this.#pos += 2;
      else if (c === '#') {
        while (this.#pos < s.length && s[this.#pos] !== '\n') this.#pos += 1;
      } else break;
    }
    if (this.#pos >= s.length) return { kind: 'end' };
    const op = this.#operator(undefined);
    if (op) return op;
    // An fd number directly before a redirection: "2>&1", "1>&2", "2>file".
    const digits = /^[0-9]+(?=[<>])/.exec(s.slice(this.#pos));
    if (digits) {
      this.#pos += digits[0].length;
      const redirect = this.#operator(Number(digits[0]));
      if (redirect) return redirect;
    }
    return this.#word();
  }

  #operator(fd: number | undefined): Token | undefined {
    const s = this.source.slice(this.#pos, this.#pos + 2);
    const two = ['&&', '||', '>>', '>&', '<&'] as const;
    for (const op of two) {
      if (s === op) {
        this.#pos += 2;
        return { kind: 'op', op, fd };
      }
    }
    const one = s[0];
    if (
      one === ';' ||
      one === '&' ||
      one === '|' ||
      one === '(' ||
      one === ')' ||
      one === '\n' ||
      one === '>' ||
      one === '<'
    ) {
      if (fd !== undefined && one !== '>' && one !== '<') return undefined;
      this.#pos += 1;
      return { kind: 'op', op: one, fd };
    }
    return undefined;
  }

  #word(): Token {
    const s = this.source;
    const start = this.#pos;
    const parts: WordPart[] = [];
    let literal = '';
    const flush = (): void => {
      if (literal !== '') parts.push({ kind: 'literal', text: literal, quoted: false });
      literal = '';
    };
    while (this.#pos < s.length) {
      const c = s[this.#pos] as string;
      if (' \t\n;&|()<>'.includes(c)) break;
      if (c === '\\') {
        this.#pos += 1;
        if (this.#pos < s.length) {
          flush();
          parts.push({ kind: 'literal', text: s[this.#pos] as string, quoted: true });
          this.#pos += 1;
        }
        continue;
      }
      if (c === "'") {
        const end = s.indexOf("'", this.#pos + 1);
        if (end < 0) throw new ShellSyntaxError('unterminated quoted string');
        flush();
        parts.push({ kind: 'literal', text: s.slice(this.#pos + 1, end), quoted: true });
        this.#pos = end + 1;
        continue;
      }
      if (c === '"') {
        flush();
        this.#pos += 1;
        const inner = this.#doubleQuoted();
        // "" is an empty field, not nothing.
        parts.push(...(inner.length === 0 ? [{ kind: 'literal', text: '', quoted: true } as const] : inner));
        continue;
      }
      if (c === '$') {
        const expansion = this.#dollar(false);
        if (expansion) {
          flush();
          parts.push(expansion);
          continue;
        }
      }
      literal += c;
      this.#pos += 1;
    }
    flush();
    return { kind: 'word', word: parts, raw: s.slice(start, this.#pos) };
  }

  #doubleQuoted(): WordPart[] {
    const s = this.source;
    const parts: WordPart[] = [];
    let literal = '';
    const flush = (): void => {
      if (literal !== '') parts.push({ kind: 'literal', text: literal, quoted: true });
      literal = '';
    };
    for (;;) {
      if (this.#pos >= s.length) throw new ShellSyntaxError('unterminated quoted string');
      const c = s[this.#pos] as string;
      if (c === '"') {
        this.#pos += 1;
        flush();
        return parts;
      }
      if (c === '\\' && '$`"\\\n'.includes(s[this.#pos + 1] ?? '')) {
        if (s[this.#pos + 1] !== '\n') literal += s[this.#pos + 1];
        this.#pos += 2;
        continue;
      }
      if (c === '$') {
        const expansion = this.#dollar(true);
        if (expansion) {
          flush();
          parts.push(expansion);
          continue;
        }
      }
      literal += c;
      this.#pos += 1;
    }
  }

  /** $name, ${name}, $?, $(...) at the current `$`; undefined for a lone `$`. */
  #dollar(quoted: boolean): WordPart | undefined {
    const s = this.source;
    const next = s[this.#pos + 1] ?? '';
    if (next === '{') {
      const end = s.indexOf('}', this.#pos + 2);
      if (end < 0) throw new ShellSyntaxError('unterminated ${');
      const name = s.slice(this.#pos + 2, end);
      if (
        !NAME.test(name) &&
        !(name.length === 1 && SPECIAL_PARAMS.includes(name)) &&
        !/^[0-9]+$/.test(name)
      ) {
        throw new ShellSyntaxError(`bad substitution`);
      }
      this.#pos = end + 1;
      return { kind: 'param', name, quoted };
    }
    if (next === '(') {
      const end = this.#matchParen(this.#pos + 2);
      const body = parseShell(s.slice(this.#pos + 2, end));
      this.#pos = end + 1;
      return { kind: 'command', body, quoted };
    }
    if (next !== '' && SPECIAL_PARAMS.includes(next)) {
      this.#pos += 2;
      return { kind: 'param', name: next, quoted };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.#pos + 1));
    if (name) {
      this.#pos += 1 + name[0].length;
      return { kind: 'param', name: name[0], quoted };
    }
    return undefined;
  }

  /** Index of the `)` closing a `$(` whose body starts at `from` (quotes respected). */
  #matchParen(from: number): number {
    const s = this.source;
    let depth = 1;
    for (let i = from; i < s.length; i += 1) {
      const c = s[i];
      if (c === '\\') i += 1;
      else if (c === "'") {
        const end = s.indexOf("'", i + 1);
        if (end < 0) break;
        i = end;
      } else if (c === '"') {
        for (i += 1; i < s.length && s[i] !== '"'; i += 1) if (s[i] === '\\') i += 1;
      } else if (c === '(') depth += 1;
      else if (c === ')') {
        depth -= 1;
        if (depth === 0) return i;
      }
    }
    throw new ShellSyntaxError('unterminated $(');
  }
}

const RESERVED = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
]);

/** Parses a script of the supported sh subset (see program/README in the report) into a list. */
export function parseShell(source: string): ShellList {
  const tokens = new Lexer(source).tokens();
  let index = 0;
  const peek = (): Token => tokens[index] as Token;
  const isOp = (token: Token, ...ops: Operator[]): boolean => token.kind === 'op' && ops.includes(token.op);
  const describe = (token: Token): string =>
    token.kind === 'end'
      ? 'end of file'
      : token.kind === 'op'
        ? token.op === '\n'
          ? 'newline'
          : token.op
        : token.raw;
  const unexpected = (token: Token): ShellSyntaxError =>
    new ShellSyntaxError(`unexpected ${JSON.stringify(describe(token))}`);
  const skipNewlines = (): void => {
    while (isOp(peek(), '\n')) index += 1;
  };

  function parseList(closing: ')' | undefined): ShellList {
    const list: AndOr[] = [];
    skipNewlines();
    while (peek().kind !== 'end' && !(closing && isOp(peek(), closing))) {
      const andOr = parseAndOr();
      const separator = peek();
      if (isOp(separator, ';', '&', '\n')) {
        index += 1;
        list.push({ ...andOr, background: separator.kind === 'op' && separator.op === '&' });
        skipNewlines();
      } else if (separator.kind === 'end' || (closing && isOp(separator, closing))) {
        list.push(andOr);
      } else {
        throw unexpected(separator);
      }
    }
    return list;
  }

  function parseAndOr(): AndOr {
    const first = parsePipeline();
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    for (;;) {
      const token = peek();
      if (token.kind !== 'op' || (token.op !== '&&' && token.op !== '||')) break;
      index += 1;
      skipNewlines();
      rest.push({ op: token.op, pipeline: parsePipeline() });
    }
    return { first, rest, background: false };
  }

  function parsePipeline(): Pipeline {
    let negate = false;
    const bang = peek();
    if (bang.kind === 'word' && bang.raw === '!') {
      negate = true;
      index += 1;
    }
    const commands = [parseCommand()];
    while (isOp(peek(), '|')) {
      index += 1;
      skipNewlines();
      commands.push(parseCommand());
    }
    return { negate, commands };
  }

  function parseRedirect(): Redirect {
    const token = peek() as Extract<Token, { kind: 'op' }>;
    index += 1;
    const target = peek();
    if (target.kind !== 'word') throw unexpected(target);
    index += 1;
    const op = token.op as Redirect['op'];
    const fd = token.fd ?? (op === '<' || op === '<&' ? 0 : 1);
    return { fd, op, target: target.word };
  }

  function parseCommand(): ShellCommand {
    const first = peek();
    if (isOp(first, '(') || (first.kind === 'word' && first.raw === '{')) {
      index += 1;
      const subshell = first.kind === 'op';
      let body: ShellList;
      if (subshell) {
        body = parseList(')');
        if (!isOp(peek(), ')')) throw unexpected(peek());
        index += 1;
      } else {
        body = parseBraceBody();
      }
      const redirects: Redirect[] = [];
      while (isOp(peek(), '>', '>>', '<', '>&', '<&')) redirects.push(parseRedirect());
      return { kind: 'group', subshell, body, redirects };
    }
    const assignments: Assignment[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const token = peek();
      if (isOp(token, '>', '>>', '<', '>&', '<&')) {
        redirects.push(parseRedirect());
        continue;
      }
      if (token.kind !== 'word') break;
      if (words.length === 0 && RESERVED.has(token.raw)) {
        throw new ShellSyntaxError(`'${token.raw}' is not supported by the simulated shell`);
      }
      const assignment = words.length === 0 ? asAssignment(token.word) : undefined;
      if (assignment) assignments.push(assignment);
      else words.push(token.word);
      index += 1;
    }
    if (assignments.length === 0 && words.length === 0 && redirects.length === 0) throw unexpected(peek());
    return { kind: 'simple', assignments, words, redirects };
  }

  /** `{ list; }`: the body ends at a `}` word in command position. */
  function parseBraceBody(): ShellList {
    const list: AndOr[] = [];
    skipNewlines();
    for (;;) {
      const token = peek();
      if (token.kind === 'word' && token.raw === '}') {
        index += 1;
        return list;
      }
      if (token.kind === 'end') throw unexpected(token);
      const andOr = parseAndOr();
      const separator = peek();
      if (!isOp(separator, ';', '&', '\n')) throw unexpected(separator);
      index += 1;
      list.push({ ...andOr, background: separator.kind === 'op' && separator.op === '&' });
      skipNewlines();
    }
  }

  const list = parseList(undefined);
  if (peek().kind !== 'end') throw unexpected(peek());
  return list;
}

/** `NAME=value` (the name unquoted) as an assignment, else undefined. */
function asAssignment(word: Word): Assignment | undefined {
  const first = word[0];
  if (first?.kind !== 'literal' || first.quoted) return undefined;
  const eq = first.text.indexOf('=');
  if (eq <= 0 || !NAME.test(first.text.slice(0, eq))) return undefined;
  const rest = first.text.slice(eq + 1);
  const value: WordPart[] = rest === '' ? [] : [{ kind: 'literal', text: rest, quoted: false }];
  return { name: first.text.slice(0, eq), value: [...value, ...word.slice(1)] };
}
