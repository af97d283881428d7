import { describe, expect, it } from 'vitest';
import { formatListenAddress, parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it('reads unix and loopback tcp addresses', () => {
    expect(parseListenAddress('unix:///tmp/a.sock')).toEqual({ kind: 'unix', path: '/tmp/a.sock' });
    expect(parseListenAddress('tcp://127.0.0.1:0')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('tcp://localhost:65535')).toEqual({
      kind: 'tcp',
      host: 'localhost',
      port: 65535,
    });
    expect(parseListenAddress('tcp://[::1]:2375')).toEqual({ kind: 'tcp', host: '::1', port: 2375 });
  });

  it.each([
    ['unix://relative.sock', 'relative-path'],
    ['tcp://127.0.0.1', 'bad-tcp'],
    ['tcp://127.0.0.1:70000', 'bad-tcp'],
    ['tcp://127.0.0.1:65536', 'bad-tcp'],
    ['tcp://::1:80', 'bad-tcp'],
    ['tcp://[::1:80', 'bad-tcp'],
    ['http://127.0.0.1:1', 'unknown-scheme'],
    ['/tmp/a.sock', 'unknown-scheme'],
    ['', 'unknown-scheme'],
    ['tcp://0.0.0.0:2375', 'not-loopback'],
    ['tcp://[::]:2375', 'not-loopback'],
  ])('refuses %j (%s) with ERR_LISTEN_ADDRESS', (text, problem) => {
    expect(() => parseListenAddress(text)).toThrow(
      expect.objectContaining({ code: 'ERR_LISTEN_ADDRESS', address: text, problem }),
    );
  });

  it('accepts a non-loopback tcp host only when allowed', () => {
    expect(parseListenAddress('tcp://0.0.0.0:2375', { allowRemote: true })).toEqual({
      kind: 'tcp',
      host: '0.0.0.0',
      port: 2375,
    });
    expect(parseListenAddress('tcp://[::]:1', { allowRemote: true })).toMatchObject({ host: '::' });
  });

  it('formats back to the same text', () => {
    for (const text of ['unix:///tmp/a.sock', 'tcp://127.0.0.1:80', 'tcp://[::1]:80', 'tcp://localhost:0']) {
      expect(formatListenAddress(parseListenAddress(text))).toBe(text);
    }
  });
});
