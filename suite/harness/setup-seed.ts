import fc from 'fast-check';
import { runSeed } from '../support/seed.js';

// Every property test in the run uses the run's seed, so one BERTH_SEED replays the whole run.
fc.configureGlobal({ seed: runSeed() });
