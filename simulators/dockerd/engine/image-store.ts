import { createHash } from 'node:crypto';
import {
  DockerdConflictError,
  DockerdInvalidParameterError,
  DockerdNotFoundError,
} from '../dockerd-errors.js';
import type { MemoryFs } from '../fs/memory-fs.js';
import type { ContainerConfig } from './container-config.js';
import {
  InvalidReferenceError,
  familiarString,
  parseAnyReference,
  parseNormalizedNamed,
  referenceString,
  withDefaultTag,
  type ImageReference,
} from './image-reference.js';

/** An image of the local store (there is no registry: images come from seeds and commits). */
export interface SimImage {
  readonly id: string;
  readonly parent: string;
  readonly comment: string;
  readonly createdNs: bigint;
  readonly container: string;
  readonly containerConfig: ContainerConfig;
  readonly dockerVersion: string;
  readonly author: string;
  readonly config: ContainerConfig;
  readonly architecture: string;
  readonly variant: string | undefined;
  readonly os: string;
  readonly size: number;
  /** RootFS diff IDs, bottom first. */
  readonly layers: readonly string[];
  readonly fs: MemoryFs;
  lastTagTimeNs: bigint | undefined;
}

/** One line of an image delete report (DKR-25). */
export type ImageDeleteRecord = { readonly Untagged: string } | { readonly Deleted: string };

/** What image deletion needs to know about containers. */
export interface ImageUsers {
  /** A container (running or not) using the image, in creation order. */
  first(
    predicate: (container: {
      readonly id: string;
      readonly imageId: string;
      readonly running: boolean;
    }) => boolean,
  ): { readonly id: string } | undefined;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The chain IDs of a stack of layers (what `Deleted:` reports for removed layers). */
export function chainIds(layers: readonly string[]): string[] {
  const out: string[] = [];
  for (const layer of layers) {
    const previous = out[out.length - 1];
    out.push(previous === undefined ? layer : `sha256:${sha256(`${previous} ${layer}`)}`);
  }
  return out;
}

const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** ErrImageDoesNotExist: "No such image: <familiar ref with tag>" (404). */
function noSuchImage(
  lookup: { readonly id: string } | { readonly named: ImageReference },
): DockerdNotFoundError {
  const text = 'id' in lookup ? lookup.id : familiarString(withDefaultTag(lookup.named));
  return new DockerdNotFoundError(`No such image: ${text}`);
}

/** The image and reference stores of one daemon. */
export class ImageStore {
  readonly #images = new Map<string, SimImage>();
  /** referenceString → reference and image ID. */
  readonly #refs = new Map<string, { readonly ref: ImageReference; id: string }>();

  add(image: SimImage): void {
    this.#images.set(image.id, image);
  }

  all(): SimImage[] {
    return [...this.#images.values()];
  }

  byId(id: string): SimImage | undefined {
    return this.#images.get(id);
  }

  /** Points a tag at an image (moving it if it pointed elsewhere). */
  tag(ref: ImageReference, image: SimImage, nowNs: bigint): void {
    const tagged = withDefaultTag(ref);
    this.#refs.set(referenceString(tagged), { ref: tagged, id: image.id });
    image.lastTagTimeNs = nowNs;
  }

  /** The references of an image, sorted as the reference store sorts them. */
  references(id: string): ImageReference[] {
    return [...this.#refs.entries()]
      .filter(([, entry]) => entry.id === id)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry.ref);
  }

  children(id: string): SimImage[] {
    return this.all().filter((image) => image.parent === id);
  }

  /** imageStore.Search: a unique ID prefix (with or without "sha256:"). */
  search(term: string): SimImage | undefined {
    const hex = term.replace(/^sha256:/, '');
    if (hex === '' || !/^[0-9a-f]+$/.test(hex)) return undefined;
    const matches = this.all().filter((image) => image.id.slice('sha256:'.length).startsWith(hex));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /**
   * daemon.GetImage: an image ID (full or prefix) or a reference. A malformed reference is an
   * InvalidReferenceError (callers decide its status); a missing image is a 404.
   */
  get(refOrId: string): SimImage {
    const lookup = parseAnyReference(refOrId);
    if ('id' in lookup) {
      const image = this.#images.get(lookup.id);
      if (!image) throw noSuchImage(lookup);
      return image;
    }
    const entry = this.#refs.get(referenceString(withDefaultTag(lookup.named)));
    const tagged = entry ? this.#images.get(entry.id) : undefined;
    if (tagged) return tagged;
    const found = this.search(refOrId);
    if (found) return found;
    throw noSuchImage(lookup);
  }

  /** Like get(), with a malformed reference as 400 (errdefs.InvalidParameter). */
  getOrInvalid(refOrId: string): SimImage {
    try {
      return this.get(refOrId);
    } catch (error) {
      if (error instanceof InvalidReferenceError) throw new DockerdInvalidParameterError(error.message);
      throw error;
    }
  }

  #removeRef(ref: ImageReference): ImageReference {
    const tagged = withDefaultTag(ref);
    const key = referenceString(tagged);
    if (!this.#refs.delete(key)) throw noSuchImage({ named: tagged });
    return tagged;
  }

  /**
   * ImageService.ImageDelete of dockerd 20.10: untag a reference (refusing when a container uses
   * the image through its only reference), or delete by ID; conflicts are 409 with moby's text.
   */
  delete(imageRef: string, force: boolean, prune: boolean, users: ImageUsers): ImageDeleteRecord[] {
    const image = this.getOrInvalid(imageRef);
    const records: ImageDeleteRecord[] = [];
    const using = (candidate: { readonly imageId: string }): boolean => candidate.imageId === image.id;
    let repoRefs = this.references(image.id);
    let removedRepositoryRef = false;
    if (!isImageIdPrefix(image.id, imageRef)) {
      if (!force && repoRefs.length === 1) {
        const container = users.first(using);
        if (container) {
          throw new DockerdConflictError(
            `conflict: unable to remove repository reference ${JSON.stringify(imageRef)} (must force) - container ${shortId(container.id)} is using its referenced image ${shortId(image.id)}`,
          );
        }
      }
      const parsed = parseNormalizedNamed(imageRef);
      const removed = this.#removeRef(parsed);
      records.push({ Untagged: familiarString(removed) });
      repoRefs = this.references(image.id);
      if (repoRefs.length > 0) return records;
      removedRepositoryRef = true;
    } else if (repoRefs.length === 1) {
      const conflict = this.#conflict(image, force ? HARD : HARD | STOPPED, users);
      if (conflict) throw conflict.error;
      for (const ref of repoRefs) records.push({ Untagged: familiarString(this.#removeRef(ref)) });
    }
    this.#deleteHelper(image, records, force, prune, removedRepositoryRef, users);
    return records;
  }

  #deleteHelper(
    image: SimImage,
    records: ImageDeleteRecord[],
    force: boolean,
    prune: boolean,
    quiet: boolean,
    users: ImageUsers,
  ): void {
    const conflict = this.#conflict(image, force ? HARD : HARD | SOFT, users);
    if (conflict) {
      const dangling = this.references(image.id).length === 0;
      if (quiet && (!dangling || conflict.used)) return;
      throw conflict.error;
    }
    for (const ref of this.references(image.id))
      records.push({ Untagged: familiarString(this.#removeRef(ref)) });
    const parent = image.parent;
    const layersBefore = new Set(
      this.all()
        .filter((other) => other !== image)
        .flatMap((other) => chainIds(other.layers)),
    );
    this.#images.delete(image.id);
    records.push({ Deleted: image.id });
    for (const chain of chainIds(image.layers).reverse()) {
      if (!layersBefore.has(chain)) records.push({ Deleted: chain });
    }
    const parentImage = parent === '' ? undefined : this.#images.get(parent);
    if (prune && parentImage) this.#deleteHelper(parentImage, records, false, true, true, users);
  }

  #conflict(
    image: SimImage,
    mask: number,
    users: ImageUsers,
  ): { readonly error: DockerdConflictError; readonly used: boolean } | undefined {
    const make = (
      hard: boolean,
      message: string,
      used: boolean,
    ): { error: DockerdConflictError; used: boolean } => ({
      error: new DockerdConflictError(
        `conflict: unable to delete ${shortId(image.id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${message}`,
      ),
      used,
    });
    if (mask & DEPENDENT_CHILD && this.children(image.id).length > 0)
      return make(true, 'image has dependent child images', false);
    if (mask & RUNNING) {
      const running = users.first((c) => c.running && c.imageId === image.id);
      if (running) return make(true, `image is being used by running container ${shortId(running.id)}`, true);
    }
    if (mask & ACTIVE_REFERENCE && this.references(image.id).length > 0) {
      return make(false, 'image is referenced in multiple repositories', false);
    }
    if (mask & STOPPED) {
      const stopped = users.first((c) => !c.running && c.imageId === image.id);
      if (stopped)
        return make(false, `image is being used by stopped container ${shortId(stopped.id)}`, true);
    }
    return undefined;
  }
}

// conflictType of daemon/images/image_delete.go.
const DEPENDENT_CHILD = 1;
const RUNNING = 2;
const ACTIVE_REFERENCE = 4;
const STOPPED = 8;
const HARD = DEPENDENT_CHILD | RUNNING;
const SOFT = ACTIVE_REFERENCE | STOPPED;

function isImageIdPrefix(imageId: string, possiblePrefix: string): boolean {
  if (imageId.startsWith(possiblePrefix)) return true;
  return imageId.slice('sha256:'.length).startsWith(possiblePrefix);
}
