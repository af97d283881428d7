import { describe, expect, it } from 'vitest';
import { eventually } from './poll.js';

describe('eventually', () => {
  it('resolves with the first accepted value, counting throws as not yet', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return calls;
      },
      { description: 'the third call', intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('fails naming what was awaited and the last value seen', async () => {
    const failure = eventually(() => 'still waiting', {
      description: 'the impossible',
      accept: (value) => value === 'done',
      timeoutMs: 50,
      intervalMs: 5,
    });
    await expect(failure).rejects.toMatchObject({
      code: 'ERR_POLL_TIMEOUT',
      description: 'the impossible',
      lastSeen: '"still waiting"',
    });
  });

  it('fails as a clause violation when asked to', async () => {
    await expect(
      eventually(() => false, { description: 'x', timeoutMs: 20, failAs: 'violation' }),
    ).rejects.toMatchObject({
      code: 'ERR_CLAUSE_VIOLATION',
    });
  });

  it('gives up on a check still running at the deadline', async () => {
    const never = new Promise<boolean>(() => undefined);
    await expect(
      eventually(() => never, { description: 'a hung check', timeoutMs: 30 }),
    ).rejects.toMatchObject({
      code: 'ERR_POLL_TIMEOUT',
    });
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const poll = eventually(() => false, { description: 'x', signal: controller.signal });
    controller.abort(new Error('stopped'));
    await expect(poll).rejects.toThrow('stopped');
  });
});
