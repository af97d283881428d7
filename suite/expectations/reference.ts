import type { Expectation } from './expectation.js';

/** Known failures of the embedded reference stack. Empty: the reference must pass every clause. */
export const referenceExpectations: readonly Expectation[] = [];
