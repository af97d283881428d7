/** Chunks split when they grow past twice this size, so an insert moves at most ~1k slots. */
const DEFAULT_CHUNK_SIZE = 512;

/** Index of the first element of `sorted` that is not below `key` (`sorted.length` if none). */
function lowerBound(sorted: readonly string[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * A sorted set of strings kept as a list of sorted chunks, so that inserts and deletes cost
 * O(log n + chunk) and enumerating the keys that start with a prefix costs O(log n + matches):
 * keys sharing a prefix are contiguous in code-unit order, so one binary search finds the first
 * and the walk stops at the first key without the prefix.
 */
export class SortedKeyIndex implements Iterable<string> {
  readonly #chunks: string[][] = [];
  /** The last (largest) key of each chunk, for the binary search that picks a chunk. */
  readonly #maxes: string[] = [];
  readonly #chunkSize: number;
  #size = 0;

  /** `chunkSize` is for tests that want many chunks from few keys. */
  constructor(chunkSize = DEFAULT_CHUNK_SIZE) {
    this.#chunkSize = Math.max(1, Math.floor(chunkSize));
  }

  get size(): number {
    return this.#size;
  }

  has(key: string): boolean {
    const at = lowerBound(this.#maxes, key);
    const chunk = this.#chunks[at];
    return chunk !== undefined && chunk[lowerBound(chunk, key)] === key;
  }

  /** Adds `key`; returns false when it was already present. */
  add(key: string): boolean {
    if (this.#chunks.length === 0) {
      this.#chunks.push([key]);
      this.#maxes.push(key);
      this.#size = 1;
      return true;
    }
    // A key above every max goes to the last chunk.
    const at = Math.min(lowerBound(this.#maxes, key), this.#chunks.length - 1);
    const chunk = this.#chunks[at]!;
    const position = lowerBound(chunk, key);
    if (chunk[position] === key) return false;
    chunk.splice(position, 0, key);
    this.#size += 1;
    if (chunk.length > 2 * this.#chunkSize) {
      const upper = chunk.splice(this.#chunkSize);
      this.#chunks.splice(at + 1, 0, upper);
      this.#maxes.splice(at, 1, chunk[chunk.length - 1]!, upper[upper.length - 1]!);
    } else {
      this.#maxes[at] = chunk[chunk.length - 1]!;
    }
    return true;
  }

  /** Removes `key`; returns false when it was absent. */
  delete(key: string): boolean {
    const at = lowerBound(this.#maxes, key);
    const chunk = this.#chunks[at];
    if (chunk === undefined) return false;
    const position = lowerBound(chunk, key);
    if (chunk[position] !== key) return false;
    chunk.splice(position, 1);
    this.#size -= 1;
    if (chunk.length === 0) {
      this.#chunks.splice(at, 1);
      this.#maxes.splice(at, 1);
    } else {
      this.#maxes[at] = chunk[chunk.length - 1]!;
    }
    return true;
  }

  /** The keys starting with `prefix`, in ascending order. */
  *withPrefix(prefix: string): Generator<string, void, undefined> {
    let at = lowerBound(this.#maxes, prefix);
    let chunk = this.#chunks[at];
    if (chunk === undefined) return;
    let position = lowerBound(chunk, prefix);
    while (chunk !== undefined) {
      for (; position < chunk.length; position += 1) {
        const key = chunk[position]!;
        if (!key.startsWith(prefix)) return;
        yield key;
      }
      at += 1;
      chunk = this.#chunks[at];
      position = 0;
    }
  }

  *[Symbol.iterator](): Iterator<string> {
    for (const chunk of this.#chunks) yield* chunk;
  }
}
