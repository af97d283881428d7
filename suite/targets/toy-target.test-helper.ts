import type { WorkloadRegistryPort } from '../../protocol/workload-registry.js';
import type { TargetDefinition } from './target-definition.js';

/**
 * A whole new target in one file, for suite/targets/toy-target.test.ts: a registry reached in
 * process, configured by `--command` (shown redacted in results.json). Registered beside the
 * project's targets as `{ ...TARGETS, toy: toyTarget }`, nothing else needs to change.
 */
export const toyTarget = {
  name: 'toy',
  description: 'a toy registry, to show what a new target takes',
  families: ['REG'],
  options: {
    command: { required: `--command, e.g. --command 'toy --token=...'`, shown: 'redacted' },
  },
  expectations: [
    { clause: 'REG-3', reason: 'the toy keeps the first record of a key (a known failure of its own)' },
  ],
  async probe(options) {
    return { description: `a toy started as ${options.command ?? '?'}`, facts: { toy: true } };
  },
  async create() {
    // Heavy code loads here, when a worker needs the target, never when the registry is imported.
    const { createWorkloadRegistry } = await import('../../reference/registry/index.js');
    const create = async (): Promise<WorkloadRegistryPort> => {
      const registry = createWorkloadRegistry();
      return {
        // The toy's flaw, listed in its ledger: a key's first record wins (REG-3 wants the last).
        record(id, role) {
          if (registry.lookup(id).kind === 'missing') registry.record(id, role);
        },
        addAlias: (canonical, alias) => registry.addAlias(canonical, alias),
        renameAlias: (canonical, alias) => registry.renameAlias(canonical, alias),
        lookup: (id) => registry.lookup(id),
        forget: (id) => registry.forget(id),
      };
    };
    return {
      name: 'toy',
      description: 'a toy registry',
      registry: { create },
      async [Symbol.asyncDispose]() {},
    };
  },
} as const satisfies TargetDefinition;
