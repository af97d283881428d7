import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImport, LAYOUT, ruleFor } from './import-rules.js';
import { importsOf, projectTsFiles, ROOT } from './project-files.js';

describe('import rules (README, Layout)', () => {
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

  it("is the README's Layout table: one row per folder, with what it may import", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Layout'));
    const rows = new Map(
      section
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) => [/^\| `([^`]+)`/.exec(line)![1]!, line] as const),
    );
    const wrong = LAYOUT.flatMap((rule) => {
      const row = rows.get(rule.folder);
      if (row === undefined) return [`${rule.folder}: no row`];
      const missing = rule.mayImport.filter(
        (allowed) => allowed !== '*' && !row.includes(allowed.split(' ')[0]!),
      );
      return missing.map((allowed) => `${rule.folder}: may import ${allowed}, the row does not say so`);
    });
    expect(wrong).toEqual([]);
  });

  it('has a rule for every source folder', () => {
    const unruled = projectTsFiles()
      .filter((file) => file.includes('/'))
      .filter((file) => ruleFor(file) === undefined);
    expect(unruled).toEqual([]);
    expect(LAYOUT.map((rule) => rule.folder)).toContain('suite/NN-area/');
  });

  it.each([
    ['reference/proxy/server.ts', "import { x } from '../../simulators/dockerd/index.js';"],
    ['reference/registry/registry.ts', "import { y } from '../../suite/harness/clause.js';"],
    ['simulators/dockerd/engine.ts', "import { z } from '../../reference/registry/registry.js';"],
    ['protocol/stdcopy.ts', "import { connect } from 'node:net';"],
    ['protocol/stdcopy.ts', "import fc from 'fast-check';"],
    ['protocol/stdcopy.ts', "import { x } from '../fixtures/hostile-input/hostile-corpus.js';"],
    ['suite/20-proxy/routing.spec.ts', "import { createProxy } from '../../reference/proxy/index.js';"],
    ['suite/20-proxy/routing.spec.ts', "import { createTarget } from '../targets/index.js';"],
    ['suite/20-proxy/routing.spec.ts', "const m = await import('../../simulators/vsock/index.js');"],
    ['suite/20-proxy/routing.spec.ts', "import { x } from '../80-hostile-input/hostile-stack.js';"],
    ['suite/support/guests.ts', "import { getTarget } from '../harness/current-target.js';"],
    ['suite/support/guests.ts', "import { TARGETS } from '../targets/index.js';"],
    ['suite/targets/docker.ts', "import { clause } from '../harness/clause.js';"],
    ['suite/clauses/hnd.ts', "import { x } from '../support/transcript.js';"],
    ['reports/model/outcome.ts', "import { x } from '../render/html.js';"],
    ['reports/render/html.ts', "import { x } from '../../suite/support/transcript.js';"],
    ['cli/serve.ts', "import { spawnBerth } from './berth-process.test-helper.js';"],
    // The driver protocol's two sides share types only (docs/driver-protocol.md is the contract).
    [
      'suite/targets/driver-wire.ts',
      "import { parseMessage } from '../../protocol/driver/driver-protocol.js';",
    ],
    ['suite/targets/driver-channel.ts', "import { DriverPeer } from '../../protocol/driver/driver-peer.js';"],
    [
      'suite/targets/driver-codec.ts',
      "import { type JsonValue, decodeValue } from '../../protocol/driver/driver-protocol.js';",
    ],
    [
      'suite/targets/driver-wire.ts',
      "export { DRIVER_OPS } from '../../protocol/driver/driver-protocol.js';",
    ],
    [
      'suite/targets/driver-channel.test.ts',
      "import { DriverPeer } from '../../protocol/driver/driver-peer.js';",
    ],
    ['suite/meta/driver.test.ts', "import { encodeValue } from '../../protocol/driver/driver-protocol.js';"],
    ['suite/40-dispatch/x.spec.ts', "const p = await import('../../protocol/driver/driver-peer.js');"],
    [
      'reference/driver/serve-driver.ts',
      "import { DriverChannel } from '../../suite/targets/driver-channel.js';",
    ],
    [
      'reference/driver/dispatch-service.ts',
      "import type { Slot } from '../../suite/targets/driver-wire.js';",
    ],
    ['protocol/driver/driver-peer.ts', "import { readLine } from '../../suite/targets/driver-wire.js';"],
    ['simulators/dockerd/engine.ts', "import { x } from '../../protocol/http/chunked-decoder.js';"],
    ['simulators/dockerd/engine.test.ts', "import type { X } from '../../protocol/http/body-framing.js';"],
    ['suite/support/http/http-call.ts', "import { x } from '../../../protocol/http/chunked-encoder.js';"],
    ['suite/20-proxy/routing.spec.ts', "import { x } from '../../protocol/http/hop-by-hop.js';"],
    ['suite/meta/x.test.ts', "import { x } from '../../protocol/http/status-text.js';"],
    ['protocol/http/chunked-decoder.ts', "import { connect } from 'node:net';"],
    ['protocol/http/chunked-decoder.ts', "import fc from 'fast-check';"],
  ])('refuses %s doing: %s', (file, line) => {
    const [edge] = importsOf(file, line);
    expect(edge).toBeDefined();
    expect(checkImport(edge!)).toBeDefined();
  });

  it.each([
    ['reference/proxy/server.ts', "import { parse } from '../../protocol/http-head.js';"],
    ['protocol/connector.ts', "import type { Duplex } from 'node:stream';"],
    ['protocol/connector.ts', "import type { Socket } from 'node:net';"],
    ['suite/20-proxy/routing.spec.ts', "import { clause } from '../harness/clause.js';"],
    ['suite/20-proxy/routing.spec.ts', "import type { Target } from '../targets/target.js';"],
    [
      'suite/80-hostile-input/x.spec.ts',
      "import { x } from '../../fixtures/hostile-input/hostile-corpus.js';",
    ],
    ['simulators/dockerd/engine.ts', "import { encodeFrame } from '../../protocol/stdcopy-encoder.js';"],
    ['reference/proxy/server.test.ts', "import { x } from '../../simulators/dockerd/index.js';"],
    ['suite/harness/clause.ts', "import { TARGETS } from '../targets/index.js';"],
    ['reports/render/html.ts', "import type { Outcome } from '../model/outcome.js';"],
    ['cli/serve.test.ts', "import { spawnBerth } from './berth-process.test-helper.js';"],
    [
      'suite/targets/driver-wire.ts',
      "import type { JsonValue } from '../../protocol/driver/driver-protocol.js';",
    ],
    [
      'suite/targets/driver-wire.ts',
      "import { type JsonObject, type JsonValue } from '../../protocol/driver/driver-protocol.js';",
    ],
    [
      'suite/targets/driver-wire.ts',
      "export type { WireError } from '../../protocol/driver/driver-protocol.js';",
    ],
    ['suite/targets/driver-channel.ts', "import { BerthError } from '../../protocol/errors.js';"],
    [
      'reference/driver/serve-driver.ts',
      "import { DriverPeer } from '../../protocol/driver/driver-peer.js';",
    ],
    ['cli/driver.test.ts', "import { DriverPeer } from '../protocol/driver/driver-peer.js';"],
    ['cli/driver.test.ts', "import { DriverChannel } from '../suite/targets/driver-channel.js';"],
    ['reference/proxy/server.ts', "import { x } from '../../protocol/http/chunked-decoder.js';"],
    ['reference/bridge/relay.ts', "import type { X } from '../../protocol/http/body-framing.js';"],
    ['protocol/http/chunked-decoder.ts', "import { BerthError } from '../errors.js';"],
    ['simulators/dockerd/engine.ts', "import { x } from '../../protocol/http-head-parser.js';"],
  ])('allows %s doing: %s', (file, line) => {
    const [edge] = importsOf(file, line);
    expect(edge).toBeDefined();
    expect(checkImport(edge!)).toBeUndefined();
  });
});
