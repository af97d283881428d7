import { MissingVariableError } from './errors.js';

/** What templates expand from: the run prefix and the values captured so far. */
export interface TemplateScope {
  readonly run: string;
  readonly vars: ReadonlyMap<string, string>;
}

export interface Expanded<T> {
  readonly value: T;
  /** Variables the template used (the normaliser replaces short ones only where they were sent). */
  readonly used: ReadonlySet<string>;
}

const TEMPLATE = /\{\{([A-Za-z][\w-]*)(?::([\w.-]+))?\}\}/g;

/** Strips `sha256:` so that `{{img:12}}` is the short image ID clients print. */
export function shortId(value: string, length: number): string {
  return value.replace(/^sha256:/, '').slice(0, length);
}

/** Expands `{{var}}`, `{{var:N}}`, `{{name:x}}` and `{{run}}` in one string. */
export function expandTemplate(text: string, scope: TemplateScope, used: Set<string> = new Set()): string {
  return text.replace(TEMPLATE, (_, name: string, arg: string | undefined) => {
    if (name === 'run') return scope.run;
    if (name === 'name') return `${scope.run}-${arg ?? ''}`;
    const value = scope.vars.get(name);
    if (value === undefined) throw new MissingVariableError(name);
    used.add(name);
    if (arg === undefined) return value;
    return shortId(value, Number(arg));
  });
}

/** Expands templates in every string of a JSON value (keys too), recursively. */
export function expandJson(value: unknown, scope: TemplateScope, used: Set<string> = new Set()): unknown {
  if (typeof value === 'string') return expandTemplate(value, scope, used);
  if (Array.isArray(value)) return value.map((item) => expandJson(item, scope, used));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        expandTemplate(key, scope, used),
        expandJson(item, scope, used),
      ]),
    );
  }
  return value;
}

export function expand<T>(value: T, scope: TemplateScope): Expanded<T> {
  const used = new Set<string>();
  return { value: expandJson(value, scope, used) as T, used };
}
