import { describe, expect, it } from 'vitest';
import { RuntimeInternalError } from '../../protocol/runtime-errors.js';
import { MockRuntime, type RuntimeCall } from './mock-runtime.js';

const id = { service: 'web', replica: 1 };

describe('MockRuntime', () => {
  it('answers scripted outcomes in order, then the standing one, then the default', async () => {
    const mock = new MockRuntime('m')
      .script('waitContainer', { value: 1 }, { error: new RuntimeInternalError('x') })
      .always('waitContainer', { value: 9 });
    await expect(mock.waitContainer(id)).resolves.toBe(1);
    await expect(mock.waitContainer(id)).rejects.toMatchObject({ code: 'ERR_RUNTIME_INTERNAL' });
    await expect(mock.waitContainer(id)).resolves.toBe(9);
    await expect(mock.containerState(id)).resolves.toBe('running');
    await expect(mock.logsStream(id, {})).rejects.toMatchObject({ code: 'ERR_RUNTIME_UNSUPPORTED' });
  });

  it('records calls with the container display id, also in a shared journal', async () => {
    const journal: RuntimeCall[] = [];
    const mock = new MockRuntime('m', journal);
    await mock.startContainer(id);
    await mock.pullImage('alpine');
    expect(journal.map((call) => [call.runtime, call.method, call.id])).toEqual([
      ['m', 'startContainer', 'web-rep-1'],
      ['m', 'pullImage', undefined],
    ]);
    expect(mock.callsOf('pullImage')[0]?.args).toEqual(['alpine']);
  });

  it('fails assertConsumed while scripted answers are left', async () => {
    const mock = new MockRuntime('m').script('exec', { value: { exitCode: 0, stdout: '', stderr: '' } });
    expect(() => mock.assertConsumed()).toThrow(
      expect.objectContaining({ code: 'ERR_MOCK_RUNTIME_UNCONSUMED' }),
    );
    await mock.exec(id, ['true']);
    expect(() => mock.assertConsumed()).not.toThrow();
  });
});
