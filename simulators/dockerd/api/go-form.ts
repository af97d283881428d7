import { Buffer } from 'node:buffer';
import { DockerdInvalidParameterError } from '../dockerd-errors.js';

/** An escape sequence Go's url package rejects: `invalid URL escape "%zz"`. */
export class UrlEscapeError extends DockerdInvalidParameterError {}

/** url.QueryUnescape ('+' is a space) or url.PathUnescape. */
export function goUnescape(text: string, mode: 'query' | 'path'): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex))
        throw new UrlEscapeError(`invalid URL escape ${JSON.stringify(text.slice(i, i + 3))}`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === '+' && mode === 'query') bytes.push(0x20);
    else for (const byte of Buffer.from(c, 'utf8')) bytes.push(byte);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** r.Form: the values of a query string (and of a urlencoded body, first), as url.ParseQuery reads them. */
export class GoForm {
  readonly #values = new Map<string, string[]>();
  /** The first parse error (ParseForm still keeps what it could read). */
  error: DockerdInvalidParameterError | undefined;

  constructor(...sources: readonly string[]) {
    for (const source of sources) this.#parse(source);
  }

  #parse(query: string): void {
    for (const part of query.split('&')) {
      if (part.includes(';')) {
        this.error ??= new DockerdInvalidParameterError('invalid semicolon separator in query');
        continue;
      }
      if (part === '') continue;
      const eq = part.indexOf('=');
      try {
        const key = goUnescape(eq < 0 ? part : part.slice(0, eq), 'query');
        const value = goUnescape(eq < 0 ? '' : part.slice(eq + 1), 'query');
        this.#values.set(key, [...(this.#values.get(key) ?? []), value]);
      } catch (error) {
        if (!(error instanceof UrlEscapeError)) throw error;
        this.error ??= error;
      }
    }
  }

  /** r.Form.Get / FormValue: the first value or "". */
  get(key: string): string {
    return this.#values.get(key)?.[0] ?? '';
  }

  getAll(key: string): string[] {
    return [...(this.#values.get(key) ?? [])];
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** httputils.BoolValue (DKR-4): "", "0", "no", "false", "none" are false. */
  bool(key: string): boolean {
    const value = this.get(key).trim().toLowerCase();
    return !(value === '' || value === '0' || value === 'no' || value === 'false' || value === 'none');
  }

  /** httputils.BoolValueOrDefault: a missing key takes the default. */
  boolOr(key: string, fallback: boolean): boolean {
    return this.has(key) ? this.bool(key) : fallback;
  }
}

/** strconv.Atoi / ParseInt errors, with Go's wording. */
export function goAtoi(text: string, fn = 'strconv.Atoi'): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new Error(`${fn}: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || Math.abs(value) > 2 ** 63)
    throw new Error(`${fn}: parsing ${JSON.stringify(text)}: value out of range`);
  return value;
}

/** goAtoi whose failure is a bad parameter (400), as for resize's `h` and `w`. */
export function goAtoiParameter(text: string): number {
  try {
    return goAtoi(text);
  } catch (error) {
    throw new DockerdInvalidParameterError((error as Error).message);
  }
}
