import type { ImportEdge } from './project-files.js';

/** Built-ins whose import does I/O or opens resources: protocol/ may only import them as types. */
const IO_BUILTINS = new Set([
  'net',
  'http',
  'https',
  'http2',
  'fs',
  'fs/promises',
  'child_process',
  'dgram',
  'tls',
  'dns',
  'dns/promises',
  'worker_threads',
  'cluster',
  'readline',
  'repl',
  'inspector',
]);

const isTestFile = (file: string): boolean => file.endsWith('.test.ts') || file.endsWith('.spec.ts');
const topDir = (path: string): string => path.split('/')[0] ?? '';
const isSpecArea = (path: string): boolean => /^suite\/\d\d-[^/]+\//.test(path);

export interface Violation {
  readonly rule: string;
  readonly edge: ImportEdge;
}

/**
 * The import rules of ARCHITECTURE.md:
 * - reference/ imports only reference/ and protocol/ (never suite/, simulators/, fixtures/, cli/, reports/, bench/);
 * - simulators/ never imports reference/ (nor suite/, cli/, reports/, bench/);
 * - protocol/ imports only protocol/, and I/O built-ins only as types (no I/O at import);
 * - fixtures/ imports only fixtures/ and protocol/;
 * - specs (suite/NN-area/) reach systems only through targets: never reference/, simulators/,
 *   fixtures/, cli/ or suite/targets/ directly (types from suite/targets/target.ts excepted).
 * Unit tests beside the code (`*.test.ts`) may use simulators and fixtures to drive it.
 */
export function checkImport(edge: ImportEdge): Violation | undefined {
  const from = edge.from;
  const to = edge.resolved;
  const area = topDir(from);
  const toDir = to === undefined ? undefined : topDir(to);
  const builtin = edge.specifier.startsWith('node:') ? edge.specifier.slice('node:'.length) : undefined;
  const violation = (rule: string): Violation => ({ rule, edge });

  if (isSpecArea(from)) {
    if (toDir !== undefined && ['reference', 'simulators', 'fixtures', 'cli', 'bench'].includes(toDir)) {
      return violation('specs reach systems only through targets, never by importing ' + toDir + '/');
    }
    if (
      to !== undefined &&
      to.startsWith('suite/targets/') &&
      !(edge.typeOnly && to === 'suite/targets/target.ts')
    ) {
      return violation(
        'specs get their target from suite/support, never by building one from suite/targets/',
      );
    }
    return undefined;
  }
  if (isTestFile(from)) return undefined;

  if (area === 'reference' && toDir !== undefined && !['reference', 'protocol'].includes(toDir)) {
    return violation('reference/ imports only reference/ and protocol/');
  }
  if (
    area === 'simulators' &&
    toDir !== undefined &&
    ['reference', 'suite', 'cli', 'reports', 'bench'].includes(toDir)
  ) {
    return violation('simulators/ never import ' + toDir + '/ (a shared bug would hide itself)');
  }
  if (area === 'protocol') {
    if (toDir !== undefined && toDir !== 'protocol') return violation('protocol/ imports only protocol/');
    if (to === undefined && builtin === undefined) return violation('protocol/ imports no packages');
    if (builtin !== undefined && IO_BUILTINS.has(builtin) && !edge.typeOnly) {
      return violation('protocol/ does no I/O at import: node:' + builtin + ' only as a type');
    }
  }
  if (area === 'fixtures' && toDir !== undefined && !['fixtures', 'protocol'].includes(toDir)) {
    return violation('fixtures/ imports only fixtures/ and protocol/');
  }
  if (area === 'reports' && toDir !== undefined && ['reference', 'simulators'].includes(toDir)) {
    return violation('reports/ render results; they never import ' + toDir + '/');
  }
  return undefined;
}
