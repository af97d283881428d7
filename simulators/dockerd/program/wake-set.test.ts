import { describe, expect, it } from 'vitest';
import { ProcessKilledError } from './process-killed-error.js';
import { WakeSet } from './wake-set.js';

describe('WakeSet', () => {
  it('wakes every waiter at once, and only waiters parked before the wake', async () => {
    const set = new WakeSet();
    const signal = new AbortController().signal;
    const woken: string[] = [];
    const first = set.wait(signal).then(() => woken.push('first'));
    const second = set.wait(signal).then(() => woken.push('second'));
    set.wakeAll();
    await Promise.all([first, second]);
    expect(woken.sort()).toEqual(['first', 'second']);
    let late = false;
    void set.wait(signal).then(() => (late = true));
    await Promise.resolve();
    expect(late).toBe(false);
    set.wakeAll();
    await expect.poll(() => late).toBe(true);
  });

  it('rejects with the kill reason when the signal aborts, before or while waiting', async () => {
    const killed = new AbortController();
    const waiting = new WakeSet().wait(killed.signal);
    killed.abort(new ProcessKilledError(15));
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_DOCKERD_PROCESS_KILLED', signal: 15 });
    await expect(new WakeSet().wait(killed.signal)).rejects.toMatchObject({ signal: 15 });
    const plain = new AbortController();
    plain.abort();
    await expect(new WakeSet().wait(plain.signal)).rejects.toMatchObject({ signal: 9 });
  });
});
