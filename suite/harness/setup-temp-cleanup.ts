import { afterAll } from 'vitest';
import { removeTempSocketDirs } from '../../simulators/vsock/index.js';

// Temp socket directories of this test file's module graph go when the file is done (its servers
// are closed by then), so a run leaves nothing in the temp folder.
afterAll(() => {
  removeTempSocketDirs();
});
