import { afterAll } from 'vitest';
import { disposeTarget, prepareTarget } from './current-target.js';

// Each spec file runs in its own worker module graph: it gets the run's target before it is
// collected (specs read its facets synchronously) and releases it after its last test.
await prepareTarget();

afterAll(async () => {
  await disposeTarget();
});
