import type { TargetDefinition } from './target-definition.js';

/** A Docker Engine API daemon (or a product's host-side socket): DKR and SNP clauses. */
export const dockerTarget = {
  name: 'docker',
  description: 'a Docker Engine API daemon or product socket (--docker-host)',
  families: ['DKR', 'SNP'],
  options: {
    dockerHost: {
      required: '--docker-host unix:///path.sock (or DOCKER_HOST)',
      fallbackEnv: 'DOCKER_HOST',
      shown: 'plain',
    },
  },
  expectations: [],
  async probe(options) {
    const { probeDockerTarget } = await import('./docker.js');
    return probeDockerTarget(options);
  },
  async create(options) {
    const { createDockerTarget } = await import('./docker.js');
    return createDockerTarget(options);
  },
} as const satisfies TargetDefinition;
