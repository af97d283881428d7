import type { TargetDefinition } from './target-definition.js';

/** The embedded reference stack: every facet, in process; it must pass every clause. */
export const referenceTarget = {
  name: 'reference',
  description: 'the embedded reference implementation (default)',
  // Every family, in catalogue order (suite/meta/clause-coverage.test.ts checks it).
  families: ['VSK', 'REG', 'HND', 'UPG', 'CMP', 'SNP', 'DKR', 'FLT', 'BAD'],
  options: {},
  // Known failures of the reference: none, it must pass every clause.
  expectations: [],
  async probe() {
    const { createReferenceTarget } = await import('./reference.js');
    return { description: createReferenceTarget().description, facts: {} };
  },
  async create() {
    const { createReferenceTarget } = await import('./reference.js');
    return createReferenceTarget();
  },
} as const satisfies TargetDefinition;
