import { describe, expect, it } from 'vitest';
import { formatListenAddress, parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it('reads unix and loopback tcp addresses', () => {
    expect(parseListenAddress('unix:///tmp/a.sock')).toEqual({ kind: 'unix', path: '/tmp/a.sock' });
    expect(parseListenAddress('tcp://127.0.0.1:0')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('tcp://[::1]:2375')).toEqual({ kind: 'tcp', host: '::1', port: 2375 });
  });

  it.each([
    'unix://relative.sock',
    'tcp://127.0.0.1',
    'tcp://127.0.0.1:70000',
    'http://127.0.0.1:1',
    '/tmp/a.sock',
    '',
  ])('refuses %j with a usage error', (text) => {
    expect(() => parseListenAddress(text)).toThrow(expect.objectContaining({ code: 'ERR_CLI_USAGE' }));
  });

  it('refuses non-loopback tcp unless allowed', () => {
    expect(() => parseListenAddress('tcp://0.0.0.0:2375')).toThrow(
      expect.objectContaining({ code: 'ERR_CLI_USAGE' }),
    );
    expect(parseListenAddress('tcp://0.0.0.0:2375', { allowRemote: true })).toMatchObject({
      host: '0.0.0.0',
    });
  });

  it('formats back to the same text', () => {
    for (const text of ['unix:///tmp/a.sock', 'tcp://127.0.0.1:80', 'tcp://[::1]:80']) {
      expect(formatListenAddress(parseListenAddress(text))).toBe(text);
    }
  });
});
