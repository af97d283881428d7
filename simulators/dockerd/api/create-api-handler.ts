import { encodeDockerError } from '../../../protocol/docker-error.js';
import { DockerdError, DockerdInvalidParameterError } from '../dockerd-errors.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { ResponseWriter } from '../http/response-writer.js';
import { ConnectionClosedError, type HttpHandler, type HttpRequest } from '../http/serve-connection.js';
import { ApiContext, compareVersions, type DaemonIdentity } from './api-context.js';
import type { FaultRegistry } from './fault-registry.js';
import { goUnescape, UrlEscapeError } from './go-form.js';
import { matchRoute, splitVersionPrefix } from './match-route.js';

/** gorilla/mux cleanPath: path.Clean, keeping a trailing slash. */
function cleanPath(path: string): string {
  if (path === '') return '/';
  const absolute = path.startsWith('/') ? path : `/${path}`;
  const parts: string[] = [];
  for (const part of absolute.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  let clean = `/${parts.join('/')}`;
  if (absolute.endsWith('/') && clean !== '/') clean += '/';
  return clean;
}

/** url.URL.String() of a path: escape what a path may not hold literally. */
function escapePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (char) =>
    [...Buffer.from(char, 'utf8')]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}

async function writeJson(response: ResponseWriter, status: number, body: Buffer): Promise<void> {
  response.header.set('Content-Type', 'application/json');
  response.writeHead(status);
  await response.write(body);
}

export interface ApiHandlerOptions {
  readonly engine: DockerEngine;
  readonly identity: DaemonIdentity;
  readonly faults: FaultRegistry;
}

/**
 * The HTTP handler of the simulated dockerd: faults first, then gorilla/mux's path cleaning (301),
 * the `/v<version>` prefix and the version middleware (DKR-1: Server, Api-Version, Ostype; a
 * version out of range is a 400, plain text below 1.24), Docker-Experimental, the route, and
 * 404 `page not found` for anything else (DKR-2: never 405).
 */
export function createApiHandler(options: ApiHandlerOptions): HttpHandler {
  const { engine, identity, faults } = options;
  return async (request: HttpRequest, response: ResponseWriter) => {
    let target = request.target;
    const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(target);
    if (absolute) target = target.slice(absolute[0].length) || '/';
    const question = target.indexOf('?');
    const rawPath = question < 0 ? target : target.slice(0, question);
    const rawQuery = question < 0 ? '' : target.slice(question + 1);
    let path: string;
    try {
      path = goUnescape(rawPath, 'path');
    } catch (error) {
      if (!(error instanceof UrlEscapeError)) throw error;
      const hijacked = request.hijack();
      await hijacked
        .send(
          Buffer.from(
            'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request',
            'latin1',
          ),
        )
        .catch(() => undefined);
      hijacked.socket.end();
      return;
    }

    const fault = faults.take(request.method, splitVersionPrefix(path)?.rest ?? path);
    if (fault?.kind === 'answer-stall') {
      await new Promise<void>((resolve) => {
        if (request.signal.aborted) resolve();
        else request.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      throw new ConnectionClosedError('stalled request ended');
    }
    if (fault?.kind === 'answer-delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'reset-mid-answer') request.resetAfter(fault.afterBytes);
    if (fault?.kind === 'error-status') {
      await writeJson(
        response,
        fault.status,
        encodeDockerError(fault.message ?? `injected fault: ${fault.status}`),
      );
      return;
    }

    const clean = cleanPath(path);
    if (clean !== path) {
      response.header.set('Location', `${escapePath(clean)}${rawQuery === '' ? '' : `?${rawQuery}`}`);
      response.writeHead(301);
      return;
    }

    const match = matchRoute(request.method, path);
    if (!match) {
      await writeJson(response, 404, encodeDockerError('page not found'));
      return;
    }

    const ctx = new ApiContext(engine, identity, request, response, match.vars, rawQuery, match.version);
    // Version middleware (DKR-1).
    response.header.set('Server', `Docker/${identity.engineVersion} (${identity.os})`);
    response.header.set('Api-Version', identity.maxApiVersion);
    response.header.set('Ostype', identity.os);
    try {
      const version = ctx.apiVersion;
      if (compareVersions(version, identity.minApiVersion) < 0) {
        await ctx.error(
          new DockerdInvalidParameterError(
            `client version ${version} is too old. Minimum supported API version is ${identity.minApiVersion}, please upgrade your client to a newer version`,
          ),
        );
        return;
      }
      if (compareVersions(version, identity.maxApiVersion) > 0) {
        await ctx.error(
          new DockerdInvalidParameterError(
            `client version ${version} is too new. Maximum supported API version is ${identity.maxApiVersion}`,
          ),
        );
        return;
      }
      // Experimental middleware.
      response.header.set('Docker-Experimental', String(identity.experimental));
      await match.route.handler(ctx);
    } catch (error) {
      // A bug of the simulator (not a DockerdError) surfaces as a 500 and through onHandlerError.
      if (error instanceof ConnectionClosedError || response.headSent || !(error instanceof DockerdError))
        throw error;
      await ctx.error(error);
    }
  };
}
