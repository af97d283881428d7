import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { demultiplex } from './demultiplex.js';
import { encodeFrame } from './stdcopy-encoder.js';

describe('demultiplex', () => {
  it('splits a body into stdout and stderr, with stdin frames counted as stdout (DKR-18)', () => {
    const body = Buffer.concat([
      encodeFrame(1, 'a'),
      encodeFrame(2, 'b'),
      encodeFrame(0, 'c'),
      encodeFrame(2, 'd'),
    ]);
    const result = demultiplex(body);
    expect(result.ok).toBe(true);
    expect(result.stdout.toString()).toBe('ac');
    expect(result.stderr.toString()).toBe('bd');
    expect(result.system.length).toBe(0);
  });

  it('keeps daemon errors (type 3) apart', () => {
    const result = demultiplex(
      Buffer.concat([encodeFrame(1, 'a'), encodeFrame(3, 'Error grabbing logs: x')]),
    );
    expect(result.system.toString()).toBe('Error grabbing logs: x');
    expect(result.stdout.toString()).toBe('a');
  });

  it('reports a truncated body with what came before it', () => {
    const body = Buffer.concat([encodeFrame(1, 'kept'), encodeFrame(2, 'lost').subarray(0, 10)]);
    const result = demultiplex(body);
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_STDCOPY_TRUNCATED' } });
    expect(result.stdout.toString()).toBe('kept');
    expect(result.stderr.length).toBe(0);
  });

  it('passes decoder options through', () => {
    const result = demultiplex(encodeFrame(1, 'toolong'), { maxFrameBytes: 3 });
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_STDCOPY_FRAME_TOO_LARGE' } });
  });
});
