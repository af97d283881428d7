import { request } from 'node:http';
import { requestJson } from '../suite/support/http/request-json.js';

/** Where scripts/real-dockerd.sh puts the real dockerd (BERTH_DOCKER_SOCK overrides it). */
export const REAL_DOCKERD_SOCKET = process.env.BERTH_DOCKER_SOCK ?? '/tmp/berth-dockerd/docker.sock';

/** Whether a dockerd answers `GET /_ping` on the socket within a second. */
export function dockerdAnswers(socketPath = REAL_DOCKERD_SOCKET): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** One JSON request to a Docker API socket; rejects on a status >= 400. */
export async function dockerJson(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const answer = await requestJson(socketPath, method, path, body);
  if (answer.status >= 400) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
  return { status: answer.status, json: answer.json };
}
