import { normaliseImageReference, type ImageInspector } from '../../protocol/runtime.js';

/** One local cache: image reference (bare or qualified) → fact, or an error the lookup raises. */
export type InspectorCache<T> = Readonly<Record<string, T | Error>>;

export interface FakeImageInspectorOptions<T> {
  /** Local caches, searched in order (CMP-20). */
  readonly caches?: readonly InspectorCache<T>[];
  /** What a registry answers after a full local miss (CMP-22); absent means none is asked. */
  readonly remote?: (image: string) => Promise<T | undefined>;
}

/**
 * An image inspector over in-memory caches. Keys are normalised, so a cache seeded with
 * `docker.io/library/alpine:latest` answers for `alpine:latest`. A cached error is raised at
 * once and later caches are not searched.
 */
export class FakeImageInspector<T> implements ImageInspector<T> {
  readonly asked: string[] = [];
  readonly #caches: ReadonlyMap<string, T | Error>[];
  readonly #remote: ((image: string) => Promise<T | undefined>) | undefined;

  constructor(options: FakeImageInspectorOptions<T> = {}) {
    this.#caches = (options.caches ?? []).map(
      (cache) => new Map(Object.entries(cache).map(([key, value]) => [normaliseImageReference(key), value])),
    );
    this.#remote = options.remote;
  }

  async inspect(image: string): Promise<T | undefined> {
    this.asked.push(image);
    const key = normaliseImageReference(image);
    for (const cache of this.#caches) {
      const found = cache.get(key);
      if (found instanceof Error) throw found;
      if (found !== undefined) return found;
    }
    return this.#remote === undefined ? undefined : this.#remote(image);
  }
}
