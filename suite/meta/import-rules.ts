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

/** One folder of the layout: what lives there and which folders its code may import. */
export interface FolderRule {
  /** A root-relative folder with a trailing slash; `suite/NN-area/` stands for every spec area. */
  readonly folder: string;
  readonly holds: string;
  /** Folders (or single files) its non-test code may import; its own folder is always allowed. */
  readonly mayImport: readonly string[];
  /** Whether it may import npm packages (protocol/ may not). */
  readonly packages?: boolean;
  /**
   * Folders whose files, tests and test helpers included, must never import this one: code that
   * has to keep its own independent version of what this folder holds.
   */
  readonly keptFrom?: readonly string[];
}

const SPEC_AREA = 'suite/NN-area/';

/**
 * The project's layout, most specific folder first. Tests (`*.test.ts`) and test helpers
 * (`*.test-helper.ts`) may import anything but the spec areas' rules; specs (`suite/NN-area/`)
 * follow the area's rule.
 */
export const LAYOUT: readonly FolderRule[] = [
  {
    folder: 'protocol/http/',
    holds:
      'the reference’s one HTTP/1.1 body layer: request and response framing, the chunked coding, hop-by-hop fields, status texts, the Docker error answer',
    mayImport: ['protocol/'],
    packages: false,
    // The simulators and the suite keep their own HTTP body code, so a bug in this layer cannot
    // hide itself by being on both sides of a test.
    keptFrom: ['simulators/', 'suite/'],
  },
  {
    folder: 'protocol/',
    holds:
      'wire formats and ports: HTTP/1.1 heads, stdcopy, Docker errors, the fault taxonomy, the listen address, the driver protocol and its peer (driver/: the suite takes its types only), Connector, Runtime; no I/O at import',
    mayImport: [],
    packages: false,
  },
  {
    folder: 'fixtures/',
    holds:
      'recorded data (client captures, the hostile-input corpus) and the tiny typed loaders that read it',
    mayImport: ['protocol/'],
  },
  {
    folder: 'reference/',
    holds:
      'the reference components: registry, proxy, bridge, dispatch, snapshot, the unix-socket transport, the drivers',
    mayImport: ['protocol/', 'protocol/http/'],
  },
  {
    folder: 'simulators/',
    holds:
      'doubles written from the Docker API contract: simulated dockerd, fake vsock connectors, runtimes, OCI registry, fidelity harness',
    mayImport: ['protocol/', 'fixtures/'],
  },
  {
    folder: 'suite/clauses/',
    holds: 'the clause catalogue: families, ids, levels, sources, one sentence each',
    mayImport: [],
  },
  {
    folder: 'reports/model/',
    holds:
      'the run model: outcomes and their tally (the closing line), the task meta the harness records, the results.json schema, the typed run environment (BERTH_*), target options, expectations, redaction',
    mayImport: ['suite/clauses/', 'protocol/'],
  },
  {
    folder: 'reports/',
    holds:
      'vitest reporters (progress, results.json, closing line) and renderers (JUnit, Markdown, HTML, badges)',
    mayImport: ['reports/model/', 'suite/clauses/', 'protocol/'],
  },
  {
    folder: 'suite/support/',
    holds: 'the suite’s own tools: raw HTTP client, guests, transcripts, leak checks, streams, arbitraries',
    mayImport: ['suite/clauses/', 'reports/model/', 'protocol/', 'simulators/', 'fixtures/'],
  },
  {
    folder: 'suite/expectations/',
    holds: 'per-target ledgers of known failures',
    mayImport: ['suite/clauses/', 'suite/support/', 'reports/model/', 'protocol/'],
  },
  {
    folder: 'suite/targets/',
    holds:
      'how the suite reaches a system: the TARGETS registry (one definition file per target), each target, the suite’s own driver client; the only place that builds concrete stacks',
    mayImport: [
      'suite/clauses/',
      'suite/support/',
      'reports/model/',
      'protocol/',
      'reference/',
      'simulators/',
      'fixtures/',
    ],
  },
  {
    folder: 'suite/harness/',
    holds: 'clause(), the run’s target, vitest setup files, stacks the specs share',
    mayImport: [
      'suite/clauses/',
      'suite/support/',
      'suite/expectations/',
      'suite/targets/',
      'reports/model/',
      'protocol/',
      'simulators/',
      'fixtures/',
    ],
  },
  {
    folder: SPEC_AREA,
    holds: 'conformance specs, one clause per test, and the helpers of that area only',
    mayImport: [
      'suite/harness/',
      'suite/support/',
      'suite/clauses/',
      'protocol/',
      'fixtures/',
      'suite/targets/target.ts (types)',
    ],
  },
  {
    folder: 'suite/meta/',
    holds: 'tests of the suite itself: catalogue, clause coverage, import rules, outcomes',
    mayImport: ['*'],
  },
  {
    folder: 'cli/',
    holds: 'the berth command: run, list, report, serve, sim dockerd, driver',
    mayImport: ['*'],
  },
  {
    folder: 'bench/',
    holds: 'benchmarks that print ratios against a baseline measured in the same run',
    mayImport: ['*'],
  },
];

/**
 * Folders kept apart whatever the file (tests and test helpers included): `from` may reach `to`
 * only through `import type`. Folder rules (LAYOUT) come on top of these.
 */
export interface Separation {
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

export const SEPARATIONS: readonly Separation[] = [
  {
    from: 'suite/',
    to: 'protocol/driver/',
    why: 'the suite speaks the driver protocol with its own implementation (suite/targets/driver-*.ts), so a bug in the reference drivers’ side cannot hide on both',
  },
];

const isTestFile = (file: string): boolean => file.endsWith('.test.ts') || file.endsWith('.spec.ts');
const isTestHelper = (file: string): boolean => file.endsWith('.test-helper.ts');
const SPEC_AREA_PATH = /^suite\/\d\d-[^/]+\//;

/** The rule that governs `path`: the spec area's, or the most specific folder's. */
export function ruleFor(path: string): FolderRule | undefined {
  if (SPEC_AREA_PATH.test(path)) return LAYOUT.find((rule) => rule.folder === SPEC_AREA);
  return LAYOUT.filter((rule) => path.startsWith(rule.folder)).sort(
    (a, b) => b.folder.length - a.folder.length,
  )[0];
}

function allows(rule: FolderRule, from: string, edge: ImportEdge): boolean {
  const to = edge.resolved!;
  if (rule.mayImport.includes('*')) return true;
  const own = rule.folder === SPEC_AREA ? SPEC_AREA_PATH.exec(from)![0] : rule.folder;
  if (to.startsWith(own)) return true;
  return rule.mayImport.some((allowed) => {
    if (allowed.endsWith(' (types)')) return edge.typeOnly && to === allowed.slice(0, -' (types)'.length);
    // A folder rule never reaches into a more specific folder that has a rule of its own, unless named.
    if (!to.startsWith(allowed)) return false;
    const target = ruleFor(to);
    return target === undefined || target.folder === allowed || !target.folder.startsWith(allowed);
  });
}

export interface Violation {
  readonly rule: string;
  readonly edge: ImportEdge;
}

/**
 * Checks one import against SEPARATIONS and LAYOUT. Besides the folder rules:
 * - nothing under suite/ imports a value from protocol/driver/ (types only, tests included);
 * - protocol/ imports no packages and I/O built-ins only as types (no I/O at import);
 * - a folder with `keptFrom` is never imported from those folders, not even by their tests;
 * - a test helper (`*.test-helper.ts`) is imported only by tests and other test helpers;
 * - tests and test helpers may import anything, but specs follow their area's rule.
 */
export function checkImport(edge: ImportEdge): Violation | undefined {
  const { from, resolved: to } = edge;
  const violation = (rule: string): Violation => ({ rule, edge });
  const builtin = edge.specifier.startsWith('node:') ? edge.specifier.slice('node:'.length) : undefined;
  const spec = SPEC_AREA_PATH.test(from);

  const separation = SEPARATIONS.find(
    (rule) => from.startsWith(rule.from) && to?.startsWith(rule.to) === true && !edge.typeOnly,
  );
  if (separation !== undefined) {
    return violation(`${separation.from} imports only types from ${separation.to}: ${separation.why}`);
  }
  if (to !== undefined && isTestHelper(to) && !isTestFile(from) && !isTestHelper(from)) {
    return violation('test helpers (*.test-helper.ts) are imported only by tests');
  }
  const kept = to === undefined ? undefined : ruleFor(to);
  const keptFrom = kept?.keptFrom?.find((folder) => from.startsWith(folder));
  if (kept !== undefined && keptFrom !== undefined) {
    return violation(`${keptFrom} never imports ${kept.folder} (tests included): it keeps its own`);
  }
  if ((isTestFile(from) || isTestHelper(from)) && !spec) return undefined;

  const rule = ruleFor(from);
  if (rule === undefined) return undefined;
  if (to === undefined) {
    if (builtin === undefined && rule.packages === false)
      return violation(`${rule.folder} imports no packages`);
    const inProtocol = rule.folder.startsWith('protocol/');
    if (builtin !== undefined && inProtocol && IO_BUILTINS.has(builtin) && !edge.typeOnly) {
      return violation(`protocol/ does no I/O at import: node:${builtin} only as a type`);
    }
    return undefined;
  }
  if (allows(rule, from, edge)) return undefined;
  const allowed = rule.mayImport.length === 0 ? 'nothing outside itself' : rule.mayImport.join(', ');
  return violation(`${rule.folder} may import ${allowed}`);
}
