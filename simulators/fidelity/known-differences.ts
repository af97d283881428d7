import type { KnownDifference } from './check-ledger.js';

/**
 * Differences between the real dockerd 20.10 (API 1.41) and the simulated dockerd that can only
 * differ or are accepted on purpose. fidelity.test.ts fails on any mismatch not listed here and on
 * any entry here that no longer matches a mismatch.
 */
export const knownDifferences: readonly KnownDifference[] = [];
