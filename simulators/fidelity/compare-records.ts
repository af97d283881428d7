import { canonicalJson, type Norm } from './normalise-answer.js';

/** One field that differs: where, and the two normalised values (compact JSON). */
export interface Mismatch {
  /** `status`, `headers.content-type`, `body.State.Status`, `body[0].Names`, `body.Labels["a.b"]`. */
  readonly path: string;
  readonly a: string;
  readonly b: string;
}

/** Printed when a key or element exists on one side only. */
export const ABSENT = '<absent>';
const MAX_SUMMARY = 200;

function summary(value: Norm): string {
  const text = canonicalJson(value);
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}

function child(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${/^\d+$/.test(key) ? key : JSON.stringify(key)}]`;
}

type NormObject = { readonly [key: string]: Norm };
const isObject = (value: Norm): value is NormObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isBag = (value: Norm): value is { readonly $bag: readonly Norm[] } =>
  isObject(value) && Array.isArray(value.$bag) && Object.keys(value).length === 1;

/**
 * Walks two records side by side. Objects: a key on one side only is one mismatch (its whole
 * value), common keys recurse. Arrays: a length difference is one mismatch at `path.length`,
 * common indexes recurse. Bags compare as sets of shapes. Anything else compares by value.
 */
export function compareRecords(a: Norm, b: Norm, path = ''): Mismatch[] {
  if (isBag(a) && isBag(b)) {
    const left = new Set(a.$bag.map(canonicalJson));
    const right = new Set(b.$bag.map(canonicalJson));
    const onlyA = a.$bag.filter((item) => !right.has(canonicalJson(item)));
    const onlyB = b.$bag.filter((item) => !left.has(canonicalJson(item)));
    if (onlyA.length === 0 && onlyB.length === 0) return [];
    return [
      {
        path: `${path}[*]`,
        a: onlyA.length ? summary(onlyA) : ABSENT,
        b: onlyB.length ? summary(onlyB) : ABSENT,
      },
    ];
  }
  if (isObject(a) && isObject(b) && !isBag(a) && !isBag(b)) {
    const out: Mismatch[] = [];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const inA = Object.hasOwn(a, key);
      const inB = Object.hasOwn(b, key);
      if (inA && inB) out.push(...compareRecords(a[key] as Norm, b[key] as Norm, child(path, key)));
      else
        out.push({
          path: child(path, key),
          a: inA ? summary(a[key] as Norm) : ABSENT,
          b: inB ? summary(b[key] as Norm) : ABSENT,
        });
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = a as readonly Norm[];
    const right = b as readonly Norm[];
    const out: Mismatch[] = [];
    if (left.length !== right.length)
      out.push({ path: `${path}.length`, a: String(left.length), b: String(right.length) });
    for (let index = 0; index < Math.min(left.length, right.length); index += 1)
      out.push(...compareRecords(left[index] as Norm, right[index] as Norm, child(path, String(index))));
    return out;
  }
  const left = canonicalJson(a);
  const right = canonicalJson(b);
  return left === right ? [] : [{ path: path === '' ? '$' : path, a: summary(a), b: summary(b) }];
}
