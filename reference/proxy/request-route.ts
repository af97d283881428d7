/** What the proxy needs to know about a request's target to route it (HND-1, HND-10, P-B6). */
export interface RequestRoute {
  /** The path with any `/vX.Y` prefix removed (still percent-encoded). */
  readonly path: string;
  /** The raw query without its "?", or undefined when the target has none. */
  readonly query: string | undefined;
  /** The workload the request names, if any. */
  readonly workload: WorkloadRef | undefined;
  /** Requests whose answer changes the proxy's bookkeeping, or that need the upgrade bridge. */
  readonly action: RouteAction;
}

export type WorkloadRef =
  { readonly kind: 'container'; readonly id: string } | { readonly kind: 'exec'; readonly id: string };

export type RouteAction =
  'create' | 'exec-create' | 'rename' | 'remove' | 'attach' | 'exec-start' | 'session' | 'other';

/** DKR-1: a version prefix is "/v" and a version made of digits and dots, followed by "/". */
const VERSION_PREFIX = /^\/v[0-9]+(?:\.[0-9]+)*(?=\/)/;

/** Collection endpoints under /containers that are not container names for GET, HEAD and POST. */
const CONTAINER_COLLECTIONS = new Set(['json', 'create', 'prune']);

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The first value of `key` in a raw query (form-decoded, "+" as space), or undefined. */
export function queryValue(query: string | undefined, key: string): string | undefined {
  if (query === undefined) return undefined;
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    const name = equals === -1 ? pair : pair.slice(0, equals);
    if (decodeSegment(name.replace(/\+/g, ' ')) !== key) continue;
    return equals === -1 ? '' : decodeSegment(pair.slice(equals + 1).replace(/\+/g, ' '));
  }
  return undefined;
}

/**
 * HND-1, anchored at the root: only `/containers/{id}/...`, `/exec/{id}/...` (after an optional
 * version prefix) and `/commit?container=` name a workload.
 */
export function parseRequestRoute(method: string, target: string): RequestRoute {
  const mark = target.indexOf('?');
  const rawPath = mark === -1 ? target : target.slice(0, mark);
  const query = mark === -1 ? undefined : target.slice(mark + 1);
  const path = rawPath.replace(VERSION_PREFIX, '');
  const segments = path.split('/').slice(1);
  const [area, second, third] = segments;
  const route = (workload: WorkloadRef | undefined, action: RouteAction = 'other'): RequestRoute => ({
    path,
    query,
    workload,
    action,
  });

  if (area === 'containers' && second !== undefined && second !== '') {
    const bare = segments.length === 2;
    // P-B1: `DELETE /containers/json` removes a container named json; GET/POST hit the collection.
    if (bare && CONTAINER_COLLECTIONS.has(second) && method !== 'DELETE') {
      return route(undefined, second === 'create' && method === 'POST' ? 'create' : 'other');
    }
    const container: WorkloadRef = { kind: 'container', id: decodeSegment(second) };
    if (bare) return route(container, method === 'DELETE' ? 'remove' : 'other');
    if (segments.length === 3 && method === 'POST') {
      if (third === 'exec') return route(container, 'exec-create');
      if (third === 'rename') return route(container, 'rename');
      if (third === 'attach') return route(container, 'attach');
    }
    return route(container);
  }
  if (area === 'exec' && second !== undefined && second !== '') {
    const exec: WorkloadRef = { kind: 'exec', id: decodeSegment(second) };
    const start = segments.length === 3 && third === 'start' && method === 'POST';
    return route(exec, start ? 'exec-start' : 'other');
  }
  if (area === 'commit' && segments.length === 1) {
    // P-B6: the container being committed decides the role.
    const id = queryValue(query, 'container');
    return route(id === undefined || id === '' ? undefined : { kind: 'container', id });
  }
  if (area === 'session' && segments.length === 1 && method === 'POST') return route(undefined, 'session');
  return route(undefined);
}
