import type { ApiRoute } from './api-route.js';
import { archiveHandlers as archive } from './archive-routes.js';
import { attachHandlers as attach } from './attach-route.js';
import { containerHandlers as container } from './container-routes.js';
import { execHandlers as exec } from './exec-routes.js';
import { imageHandlers as image } from './image-routes.js';
import { logsHandlers as logs } from './logs-route.js';
import { systemHandlers as system } from './system-routes.js';

/**
 * Every route the simulated dockerd serves, in match order: like dockerd's gorilla/mux router,
 * the first route whose method and path template match wins, so a route that must win over a
 * wider one stands above it. Paths are without the `/v<version>` prefix (match-route.ts).
 * Anything no route matches is a 404 `page not found` (DKR-2).
 */
export const ROUTE_TABLE: readonly ApiRoute[] = [
  // System: OPTIONS answers on any path (dockerd's optionsHandler).
  { method: 'OPTIONS', path: '/{anyroute:.*}', handler: system.options },
  { method: 'GET', path: '/_ping', handler: system.ping },
  { method: 'HEAD', path: '/_ping', handler: system.ping },
  { method: 'GET', path: '/events', handler: system.events },
  { method: 'GET', path: '/info', handler: system.info },
  { method: 'GET', path: '/version', handler: system.version },
  { method: 'GET', path: '/system/df', handler: system.systemDf },

  // Containers, exec and archive: HEAD, GET, POST, PUT, DELETE.
  { method: 'HEAD', path: '/containers/{name:.*}/archive', handler: archive.head },
  { method: 'GET', path: '/containers/json', handler: container.list },
  { method: 'GET', path: '/containers/{name:.*}/json', handler: container.inspect },
  { method: 'GET', path: '/containers/{name:.*}/top', handler: container.top },
  { method: 'GET', path: '/containers/{name:.*}/stats', handler: container.stats },
  { method: 'GET', path: '/containers/{name:.*}/logs', handler: logs.logs },
  { method: 'GET', path: '/exec/{id:.*}/json', handler: exec.inspect },
  { method: 'GET', path: '/containers/{name:.*}/archive', handler: archive.get },
  { method: 'POST', path: '/containers/{name:.*}/kill', handler: container.kill },
  { method: 'POST', path: '/containers/{name:.*}/pause', handler: container.pause },
  { method: 'POST', path: '/containers/{name:.*}/unpause', handler: container.unpause },
  { method: 'POST', path: '/containers/{name:.*}/restart', handler: container.restart },
  { method: 'POST', path: '/containers/{name:.*}/start', handler: container.start },
  { method: 'POST', path: '/containers/{name:.*}/stop', handler: container.stop },
  { method: 'POST', path: '/containers/{name:.*}/wait', handler: container.wait },
  { method: 'POST', path: '/containers/{name:.*}/resize', handler: container.resize },
  { method: 'POST', path: '/containers/{name:.*}/rename', handler: container.rename },
  { method: 'POST', path: '/containers/prune', handler: container.prune },
  { method: 'POST', path: '/commit', handler: container.commit },
  { method: 'POST', path: '/containers/create', handler: container.create },
  { method: 'POST', path: '/containers/{name:.*}/attach', handler: attach.attach },
  { method: 'POST', path: '/containers/{name:.*}/exec', handler: exec.create },
  { method: 'POST', path: '/exec/{name:.*}/start', handler: exec.start },
  { method: 'POST', path: '/exec/{name:.*}/resize', handler: exec.resize },
  { method: 'PUT', path: '/containers/{name:.*}/archive', handler: archive.put },
  { method: 'DELETE', path: '/containers/{name:.*}', handler: container.remove },

  // Images.
  { method: 'GET', path: '/images/json', handler: image.list },
  { method: 'GET', path: '/images/{name:.*}/history', handler: image.history },
  { method: 'GET', path: '/images/{name:.*}/json', handler: image.inspect },
  { method: 'POST', path: '/images/create', handler: image.create },
  { method: 'POST', path: '/images/{name:.*}/tag', handler: image.tag },
  { method: 'POST', path: '/images/prune', handler: image.prune },
  { method: 'DELETE', path: '/images/{name:.*}', handler: image.remove },
];
