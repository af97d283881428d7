import { COMPONENTS, type ClausePrefix, type Level } from '../../suite/clauses/catalogue.js';
import type { Outcome } from '../model/outcome.js';
import { countClauseOutcomes, countKnownFailures, rollUpClause, rollUpRun } from '../model/roll-up.js';
import {
  RESULTS_SCHEMA,
  type ClauseResult,
  type ResultsFile,
  type TestFailure,
  type TestResult,
} from '../model/results.js';

/** What a transcript sent to a hostile target can contain: markup, fences, control bytes. */
export const HOSTILE_TRANSCRIPT_TEXT =
  'HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>\n```\nnot the end of the fence\n````\n\u0001\u001b[31mred\u001b[0m & "quotes"';

/** A clause id of a known family, whether or not the catalogue has that number. */
type SampleId = `${ClausePrefix}-${number}`;

export function buildTest(
  id: SampleId,
  outcome: Outcome,
  extra: Partial<Omit<TestResult, 'outcome'>> = {},
): TestResult {
  return {
    title: `[${id}] MUST behaves (${outcome})`,
    file: `suite/sample/${id.toLowerCase()}.spec.ts`,
    outcome,
    durationMs: 12,
    ...extra,
  };
}

export function buildClause(
  id: SampleId,
  level: Level,
  tests: readonly TestResult[],
  extra: { readonly text?: string; readonly reason?: string } = {},
): ClauseResult {
  const base = {
    id,
    component: COMPONENTS[id.slice(0, id.indexOf('-')) as ClausePrefix],
    level,
    text: extra.text ?? `The target does what ${id} requires.`,
    source: { document: `docs/spec/${id.slice(0, id.indexOf('-')).toLowerCase()}.md`, section: id },
    durationMs: tests.reduce((sum, test) => sum + test.durationMs, 0),
    tests,
  };
  if (tests.length === 0) {
    return {
      ...base,
      outcome: 'disabled',
      expected: false,
      reason: extra.reason ?? 'no test of this clause ran',
    };
  }
  // As the results reporter does (reports/model/roll-up.ts).
  return {
    ...base,
    ...rollUpClause(tests),
    ...(extra.reason === undefined ? {} : { reason: extra.reason }),
  };
}

/** A results file around `clauses`, with counts and outcome computed as the results reporter does. */
export function buildResults(
  clauses: readonly ClauseResult[],
  options: { readonly orphans?: readonly TestResult[]; readonly expectationsFile?: string } = {},
): ResultsFile {
  const orphans = options.orphans ?? [];
  const counts = countClauseOutcomes(clauses);
  const outcome = rollUpRun(clauses, orphans);
  return {
    schema: RESULTS_SCHEMA,
    tool: { name: 'berth', version: '0.1.0' },
    target: {
      name: 'proxy-command',
      description: 'third-party proxy <launched> by "command" & driven over its socket',
      options: { command: 'acme-proxy --listen {listen} --token [redacted]' },
      probe: { apiVersion: '1.43', roles: ['native', 'amd64'], product: 'Acme <Engine>' },
    },
    selection: { profile: 'core', areas: [], clauses: [] },
    ...(options.expectationsFile === undefined ? {} : { expectationsFile: options.expectationsFile }),
    seed: 424242,
    startedAt: '2026-01-02T03:04:05.678Z',
    durationMs: 4321,
    outcome,
    counts,
    knownFailures: countKnownFailures(clauses),
    clauses,
    orphans,
  };
}

const HOSTILE_FAILURE: TestFailure = {
  name: 'AssertionError',
  message: 'expected status 200, got 500 <b>"bold"</b> & more',
  diff: '- Expected\n+ Received\n\n- 200\n+ 500',
  stack: 'AssertionError: expected status 200\n    at suite/20-proxy/routing.spec.ts:12:3',
  transcript: [
    {
      peer: 'proxy',
      sent: 'GET /containers/abc/json HTTP/1.1\r\nHost: docker\r\n\r\n',
      received: HOSTILE_TRANSCRIPT_TEXT,
    },
  ],
};

/**
 * One clause of each kind: pass, fail (with a hostile transcript), known failure, error, skip,
 * a disabled test, a clause no test ran (pending) and a component whose clauses were all disabled.
 */
export function buildSampleResults(): ResultsFile {
  return buildResults(
    [
      buildClause('REG-1', 'MUST', [buildTest('REG-1', 'pass')]),
      buildClause('REG-2', 'SHOULD', [buildTest('REG-2', 'pass', { durationMs: 1500 })]),
      buildClause(
        'HND-1',
        'MUST',
        [buildTest('HND-1', 'pass'), buildTest('HND-1', 'fail', { failure: HOSTILE_FAILURE })],
        {
          text: 'Routes a request to the <em>owning</em> guest & never "guesses".',
        },
      ),
      buildClause('HND-2', 'MUST', [
        buildTest('HND-2', 'fail', {
          expected: true,
          reason: 'upstream bug B.3: answers 500 instead of 409',
          failure: {
            name: 'KnownFailure',
            message: 'upstream bug B.3: answers 500 instead of 409',
            transcript: [{ peer: 'proxy', sent: 'DELETE /containers/x', received: 'HTTP/1.1 500' }],
          },
        }),
      ]),
      buildClause('UPG-1', 'MUST', [
        buildTest('UPG-1', 'error', {
          failure: {
            name: 'TypeError',
            message: "Cannot read properties of undefined (reading 'head')",
            stack:
              "TypeError: Cannot read properties of undefined (reading 'head')\n    at bridge.spec.ts:40:7",
          },
        }),
      ]),
      buildClause('UPG-2', 'SHOULD', [
        buildTest('UPG-2', 'skip', { reason: 'guest answered 501: attach unsupported' }),
      ]),
      buildClause('CMP-1', 'MUST', [
        buildTest('CMP-1', 'disabled', { durationMs: 0, reason: 'the target offers no runtime facet' }),
      ]),
      buildClause('CMP-2', 'MAY', [], { reason: 'pending: issue 12 adds the test' }),
      buildClause('SNP-1', 'MUST', [], { reason: 'not selected (--area 20-proxy)' }),
    ],
    { expectationsFile: 'acme-expectations.json' },
  );
}
