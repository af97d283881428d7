import { Buffer } from 'node:buffer';
import { encodeDockerError } from '../docker-error.js';
import { buildResponseHead } from '../http-head-builder.js';
import { statusText } from './status-text.js';

export interface DockerErrorAnswerOptions {
  /** Adds `Connection: close`: the connection ends after this answer. */
  readonly close?: boolean;
}

/**
 * DKR-3: a complete answer the proxy or the bridge gives itself: the status, `Content-Type:
 * application/json`, an exact Content-Length and the `{"message": ...}` body, in one buffer.
 */
export function encodeDockerErrorAnswer(
  status: number,
  message: string,
  options: DockerErrorAnswerOptions = {},
): Buffer {
  const body = encodeDockerError(message);
  const headers: [string, string][] = [
    ['Content-Type', 'application/json'],
    ['Content-Length', String(body.length)],
  ];
  if (options.close === true) headers.push(['Connection', 'close']);
  const head = buildResponseHead({ version: 'HTTP/1.1', status, reason: statusText(status), headers });
  return Buffer.concat([head, body]);
}
