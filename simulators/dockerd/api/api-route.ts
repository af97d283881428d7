import type { ApiContext } from './api-context.js';

/** What serves one route: it reads the request and answers through the context. */
export type RouteHandler = (ctx: ApiContext) => Promise<void>;

/** The handlers of one route file, by name. */
export type RouteHandlers = Readonly<Record<string, RouteHandler>>;

/** One route of dockerd's router: a method and a gorilla/mux path template ("{name:.*}"). */
export interface ApiRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: RouteHandler;
}
