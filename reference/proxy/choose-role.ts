import type { Role } from '../../protocol/connector.js';
import { parsePlatform, selectRoleForPlatform } from './platform.js';
import type { ProxyContext } from './proxy-context.js';
import { UnsupportedPlatformError } from './proxy-errors.js';
import { queryValue, type RequestRoute } from './request-route.js';

/** HND-4/HND-5: the create's `platform` query picks the role that runs it (501 when none does). */
function createRole(context: ProxyContext, route: RequestRoute): Role {
  const platform = queryValue(route.query, 'platform')?.trim();
  if (platform === undefined || platform === '') return context.defaultRole;
  const parsed = parsePlatform(platform);
  // Not a platform at all: the guest gives dockerd's own 400.
  if (parsed === undefined) return context.defaultRole;
  const role = selectRoleForPlatform(context.roles, parsed);
  if (role === undefined) throw new UnsupportedPlatformError(platform, context.roles);
  return role;
}

/**
 * The role whose guest serves a request: a create by its platform, a named container or exec by
 * the resolver (HND-7..HND-10), everything else by the default role.
 */
export async function chooseRole(context: ProxyContext, route: RequestRoute): Promise<Role> {
  if (route.action === 'create') return createRole(context, route);
  if (route.workload?.kind === 'container') return context.resolver.containerRole(route.workload.id);
  if (route.workload?.kind === 'exec') return context.resolver.execRole(route.workload.id);
  return context.defaultRole;
}
