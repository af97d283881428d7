import type { Buffer } from 'node:buffer';
import type { Role } from '../../protocol/connector.js';
import type { ProxyContext } from './proxy-context.js';
import { queryValue, type RequestRoute, type RouteAction } from './request-route.js';
import { parseId } from './sniff-json.js';

const FULL_ID = /^[0-9a-f]{64}$/;

/** What one request's bookkeeping knows before the guest answers. */
export interface BookkeepingInput {
  readonly context: ProxyContext;
  readonly route: RequestRoute;
  readonly role: Role;
  /** The canonical ID of the named workload, when the entry asked for it (`canonical: true`). */
  readonly canonical: string | undefined;
}

/** The registry update (A.4) one kind of request calls for once the guest answers 2xx. */
export interface Bookkeeping {
  /** The 2xx answer body is needed (small JSON with the new Id) before the client sees it. */
  readonly collectBody: boolean;
  /** The workload's canonical ID is needed, and must be asked before the request goes out. */
  readonly canonical: boolean;
  record(input: BookkeepingInput, answer: Buffer | undefined): Promise<void>;
}

const nameFromQuery = (route: RequestRoute): string | undefined =>
  queryValue(route.query, 'name')?.replace(/^\//, '') || undefined;

/** The registry updates, keyed by the route's action; actions without an entry change nothing. */
export const BOOKKEEPING: Readonly<Partial<Record<RouteAction, Bookkeeping>>> = {
  create: {
    collectBody: true,
    canonical: false,
    async record({ context, route, role }, answer) {
      const id = parseId(answer);
      if (id === undefined) return context.log('create answered 2xx without an Id; nothing recorded');
      await context.registry.record(id, role);
      const name = nameFromQuery(route);
      if (name !== undefined) await context.registry.addAlias(id, name);
    },
  },
  'exec-create': {
    collectBody: true,
    canonical: false,
    async record({ context, role }, answer) {
      const id = parseId(answer);
      if (id !== undefined) await context.registry.record(id, role);
    },
  },
  rename: {
    collectBody: false,
    canonical: true,
    async record({ context, route, canonical }) {
      const name = nameFromQuery(route);
      if (canonical !== undefined && name !== undefined) await context.registry.renameAlias(canonical, name);
    },
  },
  remove: {
    collectBody: false,
    canonical: true,
    async record({ context, canonical }) {
      if (canonical !== undefined) await context.registry.forget(canonical);
    },
  },
};

/** Rename and remove need the canonical ID; after a remove the guest can no longer say it. */
export async function canonicalId(
  context: ProxyContext,
  route: RequestRoute,
  role: Role,
): Promise<string | undefined> {
  if (BOOKKEEPING[route.action]?.canonical !== true || route.workload === undefined) return undefined;
  const token = route.workload.id;
  return FULL_ID.test(token) ? token : ((await context.resolver.inspect(role, token))?.id ?? token);
}
