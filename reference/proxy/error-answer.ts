import type { Duplex } from 'node:stream';
import { encodeDockerErrorAnswer } from '../../protocol/http/docker-error-answer.js';
import type { ClientBody } from './client-body.js';

/** DKR-3: the proxy's own answer, a Docker error, unless the client is already gone. */
export function writeErrorAnswer(client: Duplex, status: number, message: string, close: boolean): void {
  if (!client.destroyed) client.write(encodeDockerErrorAnswer(status, message, { close }));
}

/**
 * An error answer to a request whose body may still be arriving: the rest of the body is read
 * and dropped first. True when the connection can carry another request afterwards.
 */
export async function answerErrorAfterBody(
  client: Duplex,
  body: ClientBody,
  keepAlive: boolean,
  status: number,
  message: string,
): Promise<boolean> {
  const drained = await body.discard();
  const alive = keepAlive && drained;
  writeErrorAnswer(client, status, message, !alive);
  return alive;
}
