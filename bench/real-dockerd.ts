import { request } from 'node:http';

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
export function dockerJson(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath,
        method,
        path,
        agent: false,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            reject(new Error(`${method} ${path}: ${status} ${text}`));
            return;
          }
          let json: unknown = undefined;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
