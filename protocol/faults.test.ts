import { describe, expect, it } from 'vitest';
import { assertValidFault, FAULT_LAYERS, GARBAGE_BYTES, type Fault } from './faults.js';

describe('fault vocabulary', () => {
  it('gives every kind one layer, and no kind keeps a word that meant two things', () => {
    expect(Object.keys(FAULT_LAYERS).sort()).toEqual([
      'answer-delay',
      'answer-stall',
      'black-hole',
      'connect-delay',
      'connect-stall',
      'drip',
      'drop-request',
      'error-status',
      'fin-before-answer',
      'garbage',
      'garbage-answer',
      'half-close',
      'refuse',
      'reset',
      'reset-before-head',
      'reset-mid-answer',
      'reset-mid-body',
      'reset-mid-stream',
    ]);
    for (const ambiguous of ['delay', 'stall', 'status', 'stall-connect']) {
      expect(Object.keys(FAULT_LAYERS)).not.toContain(ambiguous);
    }
    expect(FAULT_LAYERS['connect-delay']).toBe('transport');
    expect(FAULT_LAYERS['answer-delay']).toBe('http');
    expect(FAULT_LAYERS['reset-mid-stream']).toBe('stream');
  });

  it('sends garbage that no HTTP parser takes for a status line', () => {
    expect(Buffer.from(GARBAGE_BYTES).toString('latin1')).not.toMatch(/^HTTP\//);
    expect(GARBAGE_BYTES[0]).toBe(0);
  });

  it('accepts well-formed faults of every layer', () => {
    const good: Fault[] = [
      { kind: 'refuse' },
      { kind: 'connect-delay', ms: 0 },
      { kind: 'connect-stall' },
      { kind: 'black-hole' },
      { kind: 'reset', afterBytes: 0, direction: 'to-client' },
      { kind: 'garbage', bytes: 'x', afterBytes: 3 },
      { kind: 'half-close', afterBytes: 1 },
      { kind: 'drip', chunkBytes: 1, intervalMs: 0 },
      { kind: 'answer-delay', ms: 80 },
      { kind: 'answer-stall' },
      { kind: 'error-status', status: 503, message: 'busy' },
      { kind: 'reset-mid-answer', afterBytes: 40 },
      { kind: 'reset-mid-stream' },
    ];
    for (const fault of good) expect(() => assertValidFault(fault)).not.toThrow();
  });

  it.each<[string, unknown]>([
    ['a negative delay', { kind: 'connect-delay', ms: -1 }],
    ['a fractional answer delay', { kind: 'answer-delay', ms: 1.5 }],
    ['an unknown reset direction', { kind: 'reset', afterBytes: 1, direction: 'sideways' }],
    ['empty garbage', { kind: 'garbage', bytes: '' }],
    ['a zero drip slice', { kind: 'drip', chunkBytes: 0, intervalMs: 5 }],
    ['a status outside HTTP', { kind: 'error-status', status: 99 }],
    ['a negative reset-mid-answer count', { kind: 'reset-mid-answer', afterBytes: -4 }],
    ['an unknown kind', { kind: 'stall' }],
  ])('rejects %s with ERR_FAULT_INVALID', (_what, fault) => {
    expect(() => assertValidFault(fault as Fault)).toThrow(
      expect.objectContaining({ code: 'ERR_FAULT_INVALID' }),
    );
  });
});
