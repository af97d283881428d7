import { Buffer } from 'node:buffer';
import { decodeGoJson, goJsonTypeName } from '../decode-go-json.js';
import { DockerdInvalidParameterError, DockerdSystemError } from '../dockerd-errors.js';

/** filters.Args: field → values. */
export type Filters = ReadonlyMap<string, readonly string[]>;

/**
 * filters.FromJSON: `{"field":{"value":true}}` or the legacy `{"field":["value"]}`; malformed
 * JSON is a plain error (500) with Go's wording.
 */
export function parseFilters(text: string): Filters {
  const out = new Map<string, string[]>();
  if (text === '') return out;
  const decoded = decodeGoJson(Buffer.from(text, 'utf8'), 'unmarshal');
  if (!decoded.ok) throw new DockerdSystemError(decoded.message);
  const value = decoded.value;
  if (value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DockerdSystemError(
      `json: cannot unmarshal ${goJsonTypeName(value)} into Go value of type map[string]map[string]bool`,
    );
  }
  for (const [field, entry] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(entry) && entry.every((item) => typeof item === 'string'))
      out.set(field, [...new Set(entry)]);
    else if (entry !== null && typeof entry === 'object' && !Array.isArray(entry))
      out.set(field, Object.keys(entry));
    else if (entry === null) out.set(field, []);
    else
      throw new DockerdSystemError(
        `json: cannot unmarshal ${goJsonTypeName(entry)} into Go value of type map[string]bool`,
      );
  }
  return out;
}

/** Args.Validate: an unknown field is "Invalid filter '<field>'" (400). */
export function validateFilters(filters: Filters, accepted: readonly string[]): void {
  for (const field of filters.keys()) {
    if (!accepted.includes(field)) throw new DockerdInvalidParameterError(`Invalid filter '${field}'`);
  }
}

/** Args.Match: no values → true; else any value, as a (Go RE2) regular expression, matches. */
export function matchFilter(filters: Filters, field: string, source: string): boolean {
  const values = filters.get(field);
  if (!values || values.length === 0) return true;
  return values.some((value) => {
    try {
      return new RegExp(value).test(source);
    } catch {
      return false;
    }
  });
}

/** Args.MatchKVList: every `key` or `key=value` must be among the labels. */
export function matchLabels(
  filters: Filters,
  field: string,
  labels: Readonly<Record<string, string>> | null,
): boolean {
  const values = filters.get(field);
  if (!values || values.length === 0) return true;
  if (!labels || Object.keys(labels).length === 0) return false;
  return values.every((value) => {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (!(key in labels)) return false;
    return eq < 0 || labels[key] === value.slice(eq + 1);
  });
}
