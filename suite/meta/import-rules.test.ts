import { describe, expect, it } from 'vitest';
import { checkImport } from './import-rules.js';
import { importsOf, projectTsFiles } from './project-files.js';

describe('import rules (ARCHITECTURE.md, Layout)', () => {
  it('holds for every file of the project', () => {
    const files = projectTsFiles();
    expect(files.length).toBeGreaterThan(10);
    const violations = files
      .flatMap((file) => importsOf(file))
      .map((edge) => checkImport(edge))
      .filter((violation) => violation !== undefined)
      .map(({ rule, edge }) => `${edge.from}:${edge.line} imports '${edge.specifier}': ${rule}`);
    expect(violations).toEqual([]);
  });

  it.each([
    ['reference/proxy/server.ts', "import { x } from '../../simulators/dockerd/index.js';"],
    ['reference/registry/registry.ts', "import { y } from '../../suite/support/clause.js';"],
    ['simulators/dockerd/engine.ts', "import { z } from '../../reference/registry/registry.js';"],
    ['protocol/stdcopy.ts', "import { connect } from 'node:net';"],
    ['protocol/stdcopy.ts', "import fc from 'fast-check';"],
    ['suite/20-proxy/routing.spec.ts', "import { createProxy } from '../../reference/proxy/index.js';"],
    ['suite/20-proxy/routing.spec.ts', "import { createTarget } from '../targets/index.js';"],
    ['suite/20-proxy/routing.spec.ts', "const m = await import('../../simulators/vsock/index.js');"],
  ])('refuses %s doing: %s', (file, line) => {
    const [edge] = importsOf(file, line);
    expect(edge).toBeDefined();
    expect(checkImport(edge!)).toBeDefined();
  });

  it.each([
    ['reference/proxy/server.ts', "import { parse } from '../../protocol/http-head.js';"],
    ['protocol/connector.ts', "import type { Duplex } from 'node:stream';"],
    ['protocol/connector.ts', "import type { Socket } from 'node:net';"],
    ['suite/20-proxy/routing.spec.ts', "import { clause } from '../support/clause.js';"],
    ['suite/20-proxy/routing.spec.ts', "import type { Target } from '../targets/target.js';"],
    ['simulators/dockerd/engine.ts', "import { encodeFrame } from '../../protocol/stdcopy-encoder.js';"],
    ['reference/proxy/server.test.ts', "import { x } from '../../simulators/dockerd/index.js';"],
  ])('allows %s doing: %s', (file, line) => {
    const [edge] = importsOf(file, line);
    expect(edge).toBeDefined();
    expect(checkImport(edge!)).toBeUndefined();
  });
});
