import type { TargetDefinition } from './target-definition.js';

/** A third party's proxy, launched from a command template: HND, UPG, FLT, BAD and DKR clauses. */
export const proxyCommandTarget = {
  name: 'proxy-command',
  description: 'a third-party Docker API proxy launched from a command template (--command)',
  families: ['HND', 'UPG', 'FLT', 'BAD', 'DKR'],
  options: {
    command: {
      required: `--command, e.g. --command 'your-proxy --listen {listen} --guest native={guest.native} --guest amd64={guest.amd64}'`,
      shown: 'redacted',
    },
    readyTimeoutMs: { default: 15_000, shown: 'hidden' },
  },
  expectations: [],
  async probe(options) {
    const { probeProxyCommandTarget } = await import('./proxy-command.js');
    return probeProxyCommandTarget(options);
  },
  async create(options) {
    const { createProxyCommandTarget } = await import('./proxy-command.js');
    return createProxyCommandTarget(options);
  },
} as const satisfies TargetDefinition;
