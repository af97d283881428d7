import { describe, expect, it } from 'vitest';
import { statusText } from './status-text.js';

describe('statusText', () => {
  it('names the statuses the proxy and the bridge answer with', () => {
    expect([400, 404, 409, 413, 431, 500, 501, 502, 504].map(statusText)).toEqual([
      'Bad Request',
      'Not Found',
      'Conflict',
      'Payload Too Large',
      'Request Header Fields Too Large',
      'Internal Server Error',
      'Not Implemented',
      'Bad Gateway',
      'Gateway Timeout',
    ]);
  });

  it('falls back to Error for a code it does not know', () => {
    expect(statusText(599)).toBe('Error');
  });
});
