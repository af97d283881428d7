/** textproto.CanonicalMIMEHeaderKey: "api-version" → "Api-Version". */
const canonicalKeys = new Map<string, string>();

export function canonicalHeaderKey(key: string): string {
  const known = canonicalKeys.get(key);
  if (known !== undefined) return known;
  const canonical = !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(key)
    ? key
    : key
        .split('-')
        .map((part) => (part === '' ? part : part[0]?.toUpperCase() + part.slice(1).toLowerCase()))
        .join('-');
  // Header names repeat from request to request; a bounded memo spares re-casing them.
  if (canonicalKeys.size < 1024) canonicalKeys.set(key, canonical);
  return canonical;
}

/** An http.Header: canonical keys, several values per key, written sorted by key. */
export class GoHeader {
  readonly #values = new Map<string, string[]>();

  set(key: string, value: string): void {
    this.#values.set(canonicalHeaderKey(key), [value]);
  }

  add(key: string, value: string): void {
    const canonical = canonicalHeaderKey(key);
    this.#values.set(canonical, [...(this.#values.get(canonical) ?? []), value]);
  }

  get(key: string): string | undefined {
    return this.#values.get(canonicalHeaderKey(key))?.[0];
  }

  has(key: string): boolean {
    return this.#values.has(canonicalHeaderKey(key));
  }

  delete(key: string): void {
    this.#values.delete(canonicalHeaderKey(key));
  }

  /** Header.Write order: keys sorted, values in insertion order. */
  lines(): string {
    let text = '';
    for (const key of [...this.#values.keys()].sort()) {
      for (const value of this.#values.get(key) ?? [])
        text += `${key}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`;
    }
    return text;
  }
}
