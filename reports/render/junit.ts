import type { ClauseResult, ResultsFile, TestResult } from '../model/results.js';
import { escapeAttribute, escapeMarkup } from './escape-markup.js';
import { formatFact, formatFailure, formatTranscript } from './format-report-text.js';
import { summarizeResults } from './summarize-results.js';
import { verdictKindOf } from '../model/verdict.js';

/** The testsuite of tests that name no catalogue clause and of errors outside any test. */
export const ORPHAN_SUITE = '(outside any clause)';

interface Case {
  readonly xml: string;
  readonly kind: 'passed' | 'failure' | 'error' | 'skipped';
  readonly ms: number;
}

function attributes(values: Readonly<Record<string, string | number>>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function testcase(classname: string, name: string, ms: number, body: string, kind: Case['kind']): Case {
  const open = `    <testcase${attributes({ classname, name, time: seconds(ms) })}`;
  return { xml: body === '' ? `${open}/>` : `${open}>\n${body}\n    </testcase>`, kind, ms };
}

function skipped(reason: string): string {
  return `      <skipped${attributes({ message: reason })}/>`;
}

/** One vitest test of a clause (or an orphan) as a testcase. */
function testCase(classname: string, test: TestResult): Case {
  const status = verdictKindOf(test);
  const failure = test.failure;
  switch (status) {
    case 'pass':
      return testcase(classname, test.title, test.durationMs, '', 'passed');
    case 'known-failure': {
      // A known failure is a pass for CI (the run does not fail); the ledger's reason is kept.
      const reason = test.reason ?? failure?.message ?? 'listed in the expectations ledger';
      const transcript =
        failure?.transcript !== undefined && failure.transcript.length > 0
          ? `\n\ntranscript:\n${formatTranscript(failure.transcript)}`
          : '';
      const out = `known failure (expectations ledger): ${reason}${transcript}`;
      return testcase(
        classname,
        test.title,
        test.durationMs,
        `      <system-out>${escapeMarkup(out)}</system-out>`,
        'passed',
      );
    }
    case 'fail':
    case 'error': {
      const element = status === 'fail' ? 'failure' : 'error';
      const message = failure?.message ?? test.reason ?? status;
      const type = failure?.name ?? (status === 'fail' ? 'AssertionError' : 'Error');
      const text = failure === undefined ? message : formatFailure(failure, { stack: status === 'error' });
      const body = `      <${element}${attributes({ message, type })}>${escapeMarkup(text)}</${element}>`;
      return testcase(classname, test.title, test.durationMs, body, status === 'fail' ? 'failure' : 'error');
    }
    case 'skip':
    case 'disabled':
      return testcase(classname, test.title, test.durationMs, skipped(test.reason ?? status), 'skipped');
  }
}

/** A clause's testcases: one per test, or one skipped testcase when no test of it ran. */
function clauseCases(clause: ClauseResult): Case[] {
  if (clause.tests.length > 0) return clause.tests.map((test) => testCase(clause.component, test));
  const name = `[${clause.id}] ${clause.level} ${clause.text}`;
  return [
    testcase(clause.component, name, 0, skipped(clause.reason ?? 'no test of this clause ran'), 'skipped'),
  ];
}

function suite(
  name: string,
  cases: readonly Case[],
  results: ResultsFile,
): { xml: string; cases: readonly Case[] } {
  const count = (kind: Case['kind']): number => cases.filter((c) => c.kind === kind).length;
  const properties: [string, string][] = [
    ['target', results.target.name],
    ['seed', String(results.seed)],
    ['profile', results.selection.profile],
    ...Object.entries(results.target.options).map(([key, value]): [string, string] => [
      `option.${key}`,
      value,
    ]),
    ...Object.entries(results.target.probe).map(([key, value]): [string, string] => [
      `probe.${key}`,
      formatFact(value),
    ]),
  ];
  if (results.expectationsFile !== undefined) properties.push(['expectations', results.expectationsFile]);
  const propertyXml = properties
    .map(([key, value]) => `      <property${attributes({ name: key, value })}/>`)
    .join('\n');
  const head = `  <testsuite${attributes({
    name,
    tests: cases.length,
    failures: count('failure'),
    errors: count('error'),
    skipped: count('skipped'),
    time: seconds(cases.reduce((sum, c) => sum + c.ms, 0)),
    timestamp: results.startedAt,
  })}>`;
  const body = [`    <properties>\n${propertyXml}\n    </properties>`, ...cases.map((c) => c.xml)];
  return { xml: `${head}\n${body.join('\n')}\n  </testsuite>`, cases };
}

/**
 * results.json as JUnit XML: one testsuite per component, one testcase per test (classname = the
 * component, name = the test's title). fail → failure, error → error, skip/disabled → skipped,
 * known failure → a passing testcase whose system-out gives the ledger's reason. A clause no test
 * ran (pending, not selected) is one skipped testcase.
 */
export function renderJunit(results: ResultsFile): string {
  const suites = summarizeResults(results).components.map((component) =>
    suite(component.component, component.clauses.flatMap(clauseCases), results),
  );
  if (results.orphans.length > 0) {
    suites.push(
      suite(
        ORPHAN_SUITE,
        results.orphans.map((orphan) => testCase(orphan.file === '' ? 'berth' : orphan.file, orphan)),
        results,
      ),
    );
  }
  const all = suites.flatMap((s) => s.cases);
  const count = (kind: Case['kind']): number => all.filter((c) => c.kind === kind).length;
  const head = `<testsuites${attributes({
    name: `berth conformance: ${results.target.name}`,
    tests: all.length,
    failures: count('failure'),
    errors: count('error'),
    skipped: count('skipped'),
    time: seconds(results.durationMs),
    timestamp: results.startedAt,
  })}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${suites.map((s) => s.xml).join('\n')}\n</testsuites>\n`;
}
