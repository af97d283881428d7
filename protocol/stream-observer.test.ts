import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamObserver } from './stream-observer.js';

class Counting extends StreamObserver {
  seen = 0;

  protected override onChunk(chunk: Buffer): void {
    this.seen += chunk.length;
  }

  wait(condition: (observer: this) => boolean, timeoutMs = 500): Promise<void> {
    return this.waitFor(condition, timeoutMs, () =>
      Object.assign(new Error(`saw ${this.seen}`), { code: 'X' }),
    );
  }
}

describe('StreamObserver', () => {
  it('hands chunks over before waking a waiter, and resolves at once when the condition holds', async () => {
    const stream = new PassThrough();
    const observer = new Counting(stream);
    const waiting = observer.wait((o) => o.seen >= 5);
    stream.write('abc');
    stream.write('de');
    await waiting;
    expect(observer.seen).toBe(5);
    await observer.wait((o) => o.seen === 5, 0);
  });

  it('records end, error and close', async () => {
    const ending = new PassThrough();
    const ended = new Counting(ending);
    ending.end('x');
    await ended.wait((o) => o.ended && o.closed);
    expect(ended.error).toBeUndefined();

    const failing = new PassThrough();
    const failed = new Counting(failing);
    failing.destroy(Object.assign(new Error('boom'), { code: 'ERR_BOOM' }));
    await failed.wait((o) => o.error !== undefined && o.closed);
    expect(failed.error).toMatchObject({ code: 'ERR_BOOM' });
    expect(failed.ended).toBe(false);
  });

  it('rejects with the error built when the time runs out, from the state at that moment', async () => {
    const stream = new PassThrough();
    const observer = new Counting(stream);
    stream.write('ab');
    await expect(observer.wait((o) => o.ended, 50)).rejects.toMatchObject({ code: 'X', message: 'saw 2' });
  });
});
