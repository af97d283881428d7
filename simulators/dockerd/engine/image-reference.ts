import { DockerdInvalidParameterError, DockerdSystemError } from '../dockerd-errors.js';

/**
 * A parsed image reference (distribution/reference, as dockerd 20.10 normalises it): the domain
 * and path of the repository, and an optional tag and digest.
 */
export interface ImageReference {
  readonly domain: string;
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const DEFAULT_DOMAIN = 'docker.io';
const OFFICIAL_PREFIX = 'library/';
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]*)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const HEX64 = /^[a-f0-9]{64}$/;

/** The error classes of distribution/reference; dockerd maps them per endpoint. */
export class InvalidReferenceError extends DockerdSystemError {}

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let remainder = name;
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = `${OFFICIAL_PREFIX}${remainder}`;
  return { domain, remainder };
}

/** reference.Parse of an already domain-qualified string. */
function parse(text: string): ImageReference {
  const match = REFERENCE.exec(text);
  if (!match) {
    if (text === '') throw new InvalidReferenceError('repository name must have at least one component');
    if (REFERENCE.test(text.toLowerCase())) {
      throw new InvalidReferenceError('invalid reference format: repository name must be lowercase');
    }
    throw new InvalidReferenceError('invalid reference format');
  }
  const name = match[1] as string;
  if (name.length > 255)
    throw new InvalidReferenceError('repository name must not be more than 255 characters');
  const slash = name.indexOf('/');
  return { domain: name.slice(0, slash), path: name.slice(slash + 1), tag: match[2], digest: match[3] };
}

/** reference.ParseNormalizedNamed: "busybox" → docker.io/library/busybox. */
export function parseNormalizedNamed(text: string): ImageReference {
  if (HEX64.test(text)) {
    throw new InvalidReferenceError(
      `invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const { domain, remainder } = splitDockerDomain(text);
  const tagSep = remainder.indexOf(':');
  const remoteName = tagSep < 0 ? remainder : remainder.slice(0, tagSep);
  if (remoteName.toLowerCase() !== remoteName) {
    throw new InvalidReferenceError('invalid reference format: repository name must be lowercase');
  }
  const parsed = parse(`${domain}/${remainder}`);
  return parsed;
}

/**
 * reference.ParseAnyReference: a bare 64-hex string or `algo:hex` is a digest (an image ID);
 * anything else a normalised name. Returns the ID for digests.
 */
export function parseAnyReference(
  text: string,
): { readonly id: string } | { readonly named: ImageReference } {
  if (HEX64.test(text)) return { id: `sha256:${text}` };
  if (/^sha256:[a-f0-9]{64}$/.test(text)) return { id: text };
  return { named: parseNormalizedNamed(text) };
}

/** reference.TagNameOnly: a name without tag or digest gets ":latest". */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref;
}

/** reference.WithTag. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!ANCHORED_TAG.test(tag)) throw new InvalidReferenceError('invalid tag format');
  return { ...ref, tag, digest: undefined };
}

/** The full name: docker.io/library/busybox. */
export function fullName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** reference.FamiliarName: busybox, local/busybox, myregistry:5000/x. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return fullName(ref);
  return ref.path.startsWith(OFFICIAL_PREFIX) && ref.path.split('/').length === 2
    ? ref.path.slice(OFFICIAL_PREFIX.length)
    : ref.path;
}

/** reference.FamiliarString: the familiar name with its tag and digest. */
export function familiarString(ref: ImageReference): string {
  return `${familiarName(ref)}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** The full string (reference.String()): the sort key of the reference store. */
export function referenceString(ref: ImageReference): string {
  return `${fullName(ref)}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** Go's path.Match (the `reference` filter of DKR-24): `*`, `?`, `[...]`, `\` escapes; `*` never crosses `/`. */
export function pathMatch(pattern: string, name: string): boolean {
  let source = '^';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '\\') {
      i += 1;
      if (i >= pattern.length) throw new DockerdSystemError('syntax error in pattern');
      source += escapeRegExp(pattern[i] as string);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new DockerdSystemError('syntax error in pattern');
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      source += `(?!/)[${body.replace(/\\/g, '\\\\').replace(/]/g, '\\]')}]`;
      i = end;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`${source}$`).test(name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A reference error on an endpoint where dockerd wraps it as InvalidParameter (400). */
export function asInvalidParameter(error: unknown, prefix = ''): unknown {
  if (error instanceof InvalidReferenceError)
    return new DockerdInvalidParameterError(`${prefix}${error.message}`);
  return error;
}
