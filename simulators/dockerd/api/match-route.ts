import type { ApiRoute } from './api-route.js';
import { ROUTE_TABLE } from './route-table.js';

interface CompiledRoute {
  readonly route: ApiRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** A gorilla/mux template ("/containers/{name:.*}/json") as an anchored pattern. */
function compile(route: ApiRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split(/(\{[a-z]+:\.\*\})/)
    .map((part) => {
      const variable = /^\{([a-z]+):\.\*\}$/.exec(part);
      if (variable) {
        names.push(variable[1] as string);
        return '(.*)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

const COMPILED: readonly CompiledRoute[] = ROUTE_TABLE.map(compile);

/** The route a request reaches, with its path variables and the API version its path names. */
export interface RouteMatch {
  readonly route: ApiRoute;
  readonly vars: Readonly<Record<string, string>>;
  /** The `<version>` of a `/v<version>/...` path; empty when the path has no version prefix. */
  readonly version: string;
}

function firstMatch(method: string, path: string, version: string): RouteMatch | undefined {
  for (const { route, pattern, names } of COMPILED) {
    if (route.method !== method) continue;
    const found = pattern.exec(path);
    if (!found) continue;
    const vars: Record<string, string> = {};
    names.forEach((name, index) => {
      vars[name] = found[index + 1] ?? '';
    });
    return { route, vars, version };
  }
  return undefined;
}

/** A `/v<version>/rest` path split into its version and the rest; undefined without a prefix. */
export function splitVersionPrefix(
  path: string,
): { readonly version: string; readonly rest: string } | undefined {
  const versioned = /^\/v([0-9.]+)(\/.*)$/.exec(path);
  return versioned ? { version: versioned[1] as string, rest: versioned[2] as string } : undefined;
}

/**
 * dockerd's router on an unescaped, clean path: a `/v<version>/rest` path is matched as `/rest`
 * first, then as it stands (every route is served with and without the prefix).
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const versioned = splitVersionPrefix(path);
  return (versioned && firstMatch(method, versioned.rest, versioned.version)) ?? firstMatch(method, path, '');
}
