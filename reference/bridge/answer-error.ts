import type { Duplex } from 'node:stream';
import type { BerthError } from '../../protocol/errors.js';
import { encodeDockerErrorAnswer } from '../../protocol/http/docker-error-answer.js';
import { closeAfterAnswer } from './close-after-answer.js';

/** DKR-3: sends the client a Docker error and closes its connection; resolves once it has closed. */
export function answerError(client: Duplex, status: number, error: BerthError): Promise<void> {
  return closeAfterAnswer(client, encodeDockerErrorAnswer(status, error.message, { close: true }));
}
