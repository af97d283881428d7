import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { encodeDockerError } from '../../protocol/docker-error.js';
import type { BerthError } from '../../protocol/errors.js';
import { buildResponseHead } from '../../protocol/http-head-builder.js';
import { closeAfterAnswer } from './close-after-answer.js';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
};

/** DKR-3: a complete Docker error answer (`{"message": ...}`), after which the connection closes. */
export function encodeErrorAnswer(status: number, error: BerthError): Buffer {
  const body = encodeDockerError(error.message);
  const head = buildResponseHead({
    version: 'HTTP/1.1',
    status,
    reason: REASONS[status] ?? 'Error',
    headers: [
      ['Content-Type', 'application/json'],
      ['Content-Length', String(body.length)],
      ['Connection', 'close'],
    ],
  });
  return Buffer.concat([head, body]);
}

/** Sends the client a Docker error and closes its connection; resolves once it has closed. */
export function answerError(client: Duplex, status: number, error: BerthError): Promise<void> {
  return closeAfterAnswer(client, encodeErrorAnswer(status, error));
}
