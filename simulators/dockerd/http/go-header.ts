/** textproto.CanonicalMIMEHeaderKey: "api-version" → "Api-Version". */
export function canonicalHeaderKey(key: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(key)) return key;
  return key
    .split('-')
    .map((part) => (part === '' ? part : part[0]?.toUpperCase() + part.slice(1).toLowerCase()))
    .join('-');
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
