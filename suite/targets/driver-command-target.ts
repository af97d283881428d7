import type { TargetDefinition } from './target-definition.js';

/** A library component in any language behind the driver protocol: REG and CMP clauses. */
export const driverCommandTarget = {
  name: 'driver-command',
  description: 'a registry or composite runtime in any language, over the driver protocol (--command)',
  families: ['REG', 'CMP'],
  options: {
    command: { required: `--command, e.g. --command 'npx berth driver registry'`, shown: 'redacted' },
    readyTimeoutMs: { default: 15_000, shown: 'hidden' },
  },
  expectations: [],
  async probe(options) {
    const { probeDriverCommandTarget } = await import('./driver-command.js');
    return probeDriverCommandTarget(options);
  },
  async create(options) {
    const { createDriverCommandTarget } = await import('./driver-command.js');
    return createDriverCommandTarget(options);
  },
} as const satisfies TargetDefinition;
