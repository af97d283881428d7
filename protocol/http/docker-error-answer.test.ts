import { describe, expect, it } from 'vitest';
import { parseDockerError } from '../docker-error.js';
import { createHeadReader } from '../head-reader.js';
import { encodeDockerErrorAnswer } from './docker-error-answer.js';

function parse(answer: Buffer): { status: number; reason: string; headers: unknown; body: Buffer } {
  const state = createHeadReader({ kind: 'response' }).push(answer);
  if (state.state !== 'done') throw new Error(`not a whole head: ${state.state}`);
  const { status, reason, headers } = state.head;
  return { status, reason, headers, body: state.rest };
}

describe('encodeDockerErrorAnswer (DKR-3)', () => {
  it('writes the status, JSON type, exact length and the message body', () => {
    const answer = parse(encodeDockerErrorAnswer(502, 'guest is gone: "x"'));
    expect(answer).toMatchObject({
      status: 502,
      reason: 'Bad Gateway',
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Length', String(answer.body.length)],
      ],
    });
    expect(parseDockerError(answer.body)).toBe('guest is gone: "x"');
  });

  it('adds Connection: close when asked', () => {
    const answer = parse(encodeDockerErrorAnswer(400, 'bad request: x', { close: true }));
    expect(answer.headers).toContainEqual(['Connection', 'close']);
    expect(answer.reason).toBe('Bad Request');
  });
});
