import { DockerdInvalidParameterError, DockerdNotFoundError, DockerdSystemError } from '../dockerd-errors.js';
import { unixSeconds } from '../engine/clock.js';
import { inspectImage, summarizeImage } from '../engine/container-views.js';
import {
  InvalidReferenceError,
  familiarName,
  familiarString,
  parseNormalizedNamed,
  pathMatch,
} from '../engine/image-reference.js';
import type { SimImage } from '../engine/image-store.js';
import type { ApiContext } from './api-context.js';
import type { RouteHandlers } from './api-route.js';
import { matchLabels, parseFilters, validateFilters } from './parse-filters.js';

/** DKR-24: GET /images/json. */
async function list(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const filters = parseFilters(form.get('filters'));
  validateFilters(filters, ['dangling', 'label', 'before', 'since', 'reference']);
  const all = form.bool('all');
  const { images } = ctx.engine;
  const dangling = filters.get('dangling');
  let danglingOnly = false;
  if (dangling && dangling.length > 0) {
    const value = dangling[0]?.toLowerCase();
    if (value !== 'true' && value !== 'false' && value !== '1' && value !== '0') {
      throw new DockerdInvalidParameterError(`Invalid filter 'dangling=${dangling[0]}'`);
    }
    danglingOnly = value === 'true' || value === '1';
  }
  const boundary = (field: 'before' | 'since'): SimImage | undefined => {
    const ref = filters.get(field)?.[0];
    return ref === undefined ? undefined : images.getOrInvalid(ref);
  };
  const before = boundary('before');
  const since = boundary('since');
  const references = filters.get('reference') ?? [];
  const out = [];
  const sorted = images
    .all()
    .sort((a, b) => (a.createdNs === b.createdNs ? 0 : a.createdNs < b.createdNs ? 1 : -1));
  for (const image of sorted) {
    if (before && image.createdNs >= before.createdNs) continue;
    if (since && image.createdNs <= since.createdNs) continue;
    if (!matchLabels(filters, 'label', image.config.Labels)) continue;
    let repoTags: string[] | null = null;
    for (const ref of images.references(image.id)) {
      if (references.length > 0) {
        let found = false;
        for (const pattern of references) {
          found = pathMatch(pattern, familiarString(ref)) || pathMatch(pattern, familiarName(ref));
          if (found) break;
        }
        if (!found) continue;
      }
      (repoTags ??= []).push(familiarString(ref));
    }
    let repoDigests: string[] | null = null;
    if (repoTags === null) {
      if (!(all || images.children(image.id).length === 0)) continue;
      if (dangling && !danglingOnly) continue;
      if (references.length > 0) continue;
      repoDigests = ['<none>@<none>'];
      repoTags = ['<none>:<none>'];
    } else if (danglingOnly) continue;
    out.push(summarizeImage(image, repoTags, repoDigests));
  }
  await ctx.json(200, out);
}

/** DKR-25: GET /images/{name}/json ("no such image: <name>: No such image: ..."). */
async function inspect(ctx: ApiContext): Promise<void> {
  await ctx.form();
  const name = ctx.vars.name ?? '';
  let image: SimImage;
  try {
    image = ctx.engine.images.getOrInvalid(name);
  } catch (error) {
    const wrapped = `no such image: ${name}: ${(error as Error).message}`;
    if (error instanceof DockerdInvalidParameterError) throw new DockerdInvalidParameterError(wrapped);
    if (error instanceof DockerdNotFoundError) throw new DockerdNotFoundError(wrapped);
    throw error;
  }
  await ctx.json(200, inspectImage(image, ctx.engine.images, ctx.engine.options.paths.storageDriver));
}

/** GET /images/{name}/history. */
async function history(ctx: ApiContext): Promise<void> {
  await ctx.form();
  const { images } = ctx.engine;
  const out = [];
  for (
    let image: SimImage | undefined = images.getOrInvalid(ctx.vars.name ?? '');
    image;
    image = images.byId(image.parent)
  ) {
    out.push({
      Comment: image.comment,
      Created: unixSeconds(image.createdNs),
      CreatedBy:
        image.container === ''
          ? ''
          : [...(image.containerConfig.Entrypoint ?? []), ...(image.containerConfig.Cmd ?? [])].join(' '),
      Id: image.id,
      Size: image.size - (images.byId(image.parent)?.size ?? 0),
      Tags: images.references(image.id).length > 0 ? images.references(image.id).map(familiarString) : null,
    });
  }
  await ctx.json(200, out);
}

/** DKR-25: POST /images/{name}/tag → 201, empty. */
async function tag(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  ctx.engine.tagImage(ctx.vars.name ?? '', form.get('repo'), form.get('tag'));
  ctx.status(201);
}

/** DKR-25: DELETE /images/{name}. */
async function remove(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const name = ctx.vars.name ?? '';
  if (name.trim() === '') throw new DockerdInvalidParameterError('image name cannot be blank');
  const records = ctx.engine.deleteImage(name, form.bool('force'), !form.bool('noprune'));
  await ctx.json(200, records);
}

/**
 * DKR-26: POST /images/create. There is no registry: a pull fails before any output, as dockerd
 * fails when the registry cannot be resolved (500 with the dial error).
 */
async function create(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const fromImage = form.get('fromImage');
  if (fromImage === '') {
    if (form.get('fromSrc') === '') throw new DockerdSystemError('Get "http:": http: no Host in request URL');
    throw new DockerdSystemError('importing images is not simulated');
  }
  let ref;
  try {
    ref = parseNormalizedNamed(fromImage);
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw new DockerdInvalidParameterError(error.message);
    throw error;
  }
  throw new DockerdSystemError(ctx.identity.pullError(ref.domain));
}

/** POST /images/prune: dangling images without containers. */
async function prune(ctx: ApiContext): Promise<void> {
  await ctx.form();
  const { engine } = ctx;
  const deleted = [];
  for (const image of engine.images.all()) {
    if (engine.images.references(image.id).length > 0 || engine.usesImage(image.id)) continue;
    if (engine.images.children(image.id).length > 0) continue;
    deleted.push(...engine.deleteImage(image.id, false, false));
  }
  await ctx.json(200, { ImagesDeleted: deleted.length === 0 ? null : deleted, SpaceReclaimed: 0 });
}

/** The handlers of the image endpoints; route-table.ts gives each its route. */
export const imageHandlers = { list, history, inspect, create, tag, prune, remove } satisfies RouteHandlers;
