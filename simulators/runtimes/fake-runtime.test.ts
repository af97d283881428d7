import { describe, expect, it } from 'vitest';
import { FakeImageInspector } from './fake-image-inspector.js';
import { FakeRuntime } from './fake-runtime.js';

const id = { service: 'web', replica: 1 };

describe('FakeRuntime', () => {
  it('runs a small container lifecycle', async () => {
    const fake = new FakeRuntime('vm');
    await fake.createContainer(id, { image: 'alpine', labels: {} });
    await expect(fake.containerState(id)).resolves.toBe('created');
    await fake.startContainer(id);
    await expect(fake.exec(id, ['echo', 'hi'])).resolves.toEqual({ exitCode: 0, stdout: 'hi\n', stderr: '' });
    await expect(fake.execWithOpts(id, { command: ['whoami'], user: 'app' })).resolves.toMatchObject({
      stdout: 'app\n',
    });
    await expect(fake.containerLogs(id, 'all')).resolves.toHaveLength(1);
    await fake.removeContainer(id);
    await expect(fake.startContainer(id)).rejects.toMatchObject({ code: 'ERR_RUNTIME_NOT_FOUND' });
  });

  it('refuses images of another OS with WrongPlatform', async () => {
    const fake = new FakeRuntime('hcs', {
      os: 'windows',
      imageOs: { 'docker.io/library/alpine:latest': 'linux' },
    });
    await expect(fake.pullImage('alpine')).rejects.toMatchObject({ code: 'ERR_RUNTIME_WRONG_PLATFORM' });
    await fake.pullImage('nanoserver');
    expect(fake.hasImage('nanoserver')).toBe(true);
  });
});

describe('FakeImageInspector', () => {
  it('searches caches in order with normalised keys, stops at an error, then asks the remote', async () => {
    const inspector = new FakeImageInspector<string>({
      caches: [{ 'docker.io/library/alpine:latest': 'linux', broken: new Error('io') }, { broken: 'linux' }],
      remote: (image) => Promise.resolve(image === 'far' ? 'windows' : undefined),
    });
    await expect(inspector.inspect('alpine')).resolves.toBe('linux');
    await expect(inspector.inspect('broken')).rejects.toThrow('io');
    await expect(inspector.inspect('far')).resolves.toBe('windows');
    await expect(inspector.inspect('nowhere')).resolves.toBeUndefined();
  });
});
