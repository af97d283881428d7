import { InvalidSnapshotKeyError } from './snapshot-errors.js';
import type { SnapshotLabel } from './snapshot-types.js';

/** The repository of ephemeral snapshots (SNP-6). */
export const EPHEMERAL_REPOSITORY = 'ephemeral';

const DOMAIN_COMPONENT =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;

export interface RepositoryAndTag {
  readonly repository: string;
  /** Undefined when the reference names no tag. */
  readonly tag: string | undefined;
}

/**
 * P-E7: splits a reference into repository and tag. The tag is after the last ':' only when that
 * ':' follows the last '/', so a registry port (`host:5000/repo`) is never taken for a tag.
 */
export function parseRepositoryAndTag(reference: string): RepositoryAndTag {
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/')) {
    return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  }
  return { repository: reference, tag: undefined };
}

/** Why `repository` is not a valid Docker repository name, or undefined when it is. */
export function repositoryProblem(repository: string): string | undefined {
  if (repository === '') return 'the repository is empty';
  if (repository.length > 255) return 'the repository is longer than 255 characters';
  const parts = repository.split('/');
  const first = parts[0] ?? '';
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain && !DOMAIN_COMPONENT.test(first)) return `'${first}' is not a valid registry host`;
  for (const part of hasDomain ? parts.slice(1) : parts) {
    if (!PATH_COMPONENT.test(part)) return `'${part}' is not a lower-case path component`;
  }
  return undefined;
}

/** P-E1: the reference to pull: an untagged, undigested name gets `latest` (never "all tags"). */
export function pullTarget(image: string): { readonly fromImage: string; readonly tag: string } {
  if (image.includes('@')) return { fromImage: image, tag: '' };
  const { repository, tag } = parseRepositoryAndTag(image);
  return { fromImage: repository, tag: tag ?? 'latest' };
}

/**
 * SNP-6: the repository and tag a snapshot of `containerId` is committed as. Ephemeral snapshots
 * are tagged with the full container ID, so concurrent siblings never race on one tag; a cached key
 * without a tag gets the container ID too.
 */
export function snapshotTarget(
  label: SnapshotLabel,
  containerId: string,
): RepositoryAndTag & { tag: string } {
  if (label.kind === 'ephemeral') return { repository: EPHEMERAL_REPOSITORY, tag: containerId };
  if (label.key.includes('@')) throw new InvalidSnapshotKeyError(label.key, 'a digest cannot be committed');
  const { repository, tag } = parseRepositoryAndTag(label.key);
  const problem = repositoryProblem(repository);
  if (problem !== undefined) throw new InvalidSnapshotKeyError(label.key, problem);
  if (tag !== undefined && !TAG.test(tag))
    throw new InvalidSnapshotKeyError(label.key, `'${tag}' is not a valid tag`);
  return { repository, tag: tag ?? containerId };
}

/**
 * P-E7: the cached key of a step: `<prefix>/<step>:<tag>`, always a valid lower-case reference.
 * The step keeps lower-cased ASCII letters and digits, with every other run of characters turned
 * into one `-`; the tag is the first 16 characters of the cache key (by code point), sanitised the
 * same way but keeping `_`. An empty part becomes `x`.
 */
export function buildCacheKey(stepKey: string, cacheKey: string, prefix = 'berth-cache'): string {
  const step =
    stepKey
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x';
  const head = [...cacheKey].slice(0, 16).join('');
  const tag =
    head
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '-')
      .replace(/^-+/, '') || 'x';
  return `${prefix}/${step}:${tag}`;
}
