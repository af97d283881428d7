import { afterAll } from 'vitest';
import { disposeTarget } from './current-target.js';

// Each spec file runs in its own worker module graph; release the target it used.
afterAll(async () => {
  await disposeTarget();
});
