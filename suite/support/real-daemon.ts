import { existsSync } from 'node:fs';
import { request } from 'node:http';

/** Where the real-daemon tier found a daemon, or why it did not. */
export type RealDaemonProbe =
  | { readonly available: true; readonly dockerHost: string; readonly apiVersion: string }
  | { readonly available: false; readonly reason: string };

const CANDIDATE_SOCKETS = ['/tmp/berth-dockerd/docker.sock', '/var/run/docker.sock'];

export class RealDaemonRequiredError extends Error {
  readonly code = 'ERR_SUITE_REAL_DAEMON_REQUIRED';
  constructor(reason: string) {
    super(`BERTH_REQUIRE_DOCKER=1 but no real Docker daemon answers: ${reason}`);
  }
}

/** The DOCKER_HOST to probe: the environment's, else a well-known socket that exists. */
export function candidateDockerHost(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const found = CANDIDATE_SOCKETS.find((path) => existsSync(path));
  return found === undefined ? undefined : `unix://${found}`;
}

/** Sends `GET /_ping` to a unix:// or tcp:// DOCKER_HOST and resolves with what answered. */
export function probeDockerHost(dockerHost: string, timeoutMs = 3000): Promise<RealDaemonProbe> {
  let target: { socketPath: string } | { host: string; port: number };
  if (dockerHost.startsWith('unix://')) target = { socketPath: dockerHost.slice('unix://'.length) };
  else if (dockerHost.startsWith('tcp://')) {
    const url = new URL(`http://${dockerHost.slice('tcp://'.length)}`);
    target = { host: url.hostname, port: Number(url.port || 2375) };
  } else {
    return Promise.resolve({
      available: false,
      reason: `DOCKER_HOST '${dockerHost}' is neither unix:// nor tcp://`,
    });
  }
  return new Promise((resolve) => {
    const req = request({ ...target, method: 'GET', path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      const apiVersion = res.headers['api-version'];
      if (res.statusCode === 200 && typeof apiVersion === 'string') {
        resolve({ available: true, dockerHost, apiVersion });
      } else {
        resolve({
          available: false,
          reason: `${dockerHost} answered /_ping with ${res.statusCode} and no Api-Version`,
        });
      }
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ available: false, reason: `${dockerHost}: ${error.message}` }));
    req.end();
  });
}

export async function probeRealDaemon(env: NodeJS.ProcessEnv = process.env): Promise<RealDaemonProbe> {
  const host = candidateDockerHost(env);
  if (host === undefined)
    return { available: false, reason: 'DOCKER_HOST is not set and no docker socket exists' };
  return probeDockerHost(host);
}
