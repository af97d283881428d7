import type { ApiContext } from './api-context.js';

/** One route of dockerd's router: a method and a gorilla/mux path template ("{name:.*}"). */
export interface ApiRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: (ctx: ApiContext) => Promise<void>;
}
