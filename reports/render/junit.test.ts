import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { showable } from './escape-markup.js';
import { ORPHAN_SUITE, renderJunit } from './junit.js';
import {
  buildClause,
  buildResults,
  buildSampleResults,
  buildTest,
  HOSTILE_TRANSCRIPT_TEXT,
} from './sample-results.test-helper.js';
import { findElements, parseXml, textContent, type XmlElement } from './parse-xml.test-helper.js';

const results = buildSampleResults();
const root = parseXml(renderJunit(results));

function testcase(name: string): XmlElement {
  const found = findElements(root, 'testcase').filter((element) => element.attributes.name === name);
  expect(found).toHaveLength(1);
  return found[0] as XmlElement;
}

function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter(
    (child): child is XmlElement => typeof child !== 'string' && child.name === name,
  );
}

describe('renderJunit', () => {
  it('writes one testsuite per component, in catalogue order', () => {
    expect(root.name).toBe('testsuites');
    expect(children(root, 'testsuite').map((suite) => suite.attributes.name)).toEqual([
      'registry',
      'proxy',
      'bridge',
      'dispatch',
      'snapshot',
    ]);
  });

  it('gives every testsuite counts that match its testcases, and the root their sums', () => {
    const suites = children(root, 'testsuite');
    for (const suite of suites) {
      const cases = children(suite, 'testcase');
      const withChild = (name: string): number => cases.filter((c) => children(c, name).length > 0).length;
      expect(suite.attributes).toMatchObject({
        tests: String(cases.length),
        failures: String(withChild('failure')),
        errors: String(withChild('error')),
        skipped: String(withChild('skipped')),
      });
    }
    const sum = (attribute: string): string =>
      String(suites.reduce((total, suite) => total + Number(suite.attributes[attribute]), 0));
    expect(root.attributes).toMatchObject({ tests: sum('tests'), failures: '1', errors: '1', skipped: '4' });
    expect(sum('failures')).toBe('1');
    expect(sum('skipped')).toBe('4');
    expect(root.attributes.time).toBe('4.321');
  });

  it('names each testcase by the test title with the component as classname and time in seconds', () => {
    const pass = testcase('[REG-2] MUST behaves (pass)');
    expect(pass.attributes).toMatchObject({ classname: 'registry', time: '1.500' });
    expect(pass.children.filter((child) => typeof child !== 'string')).toEqual([]);
  });

  it('reports a failure with its message, type, diff and transcript', () => {
    const failure = children(testcase('[HND-1] MUST behaves (fail)'), 'failure')[0];
    expect(failure?.attributes).toEqual({
      message: 'expected status 200, got 500 <b>"bold"</b> & more',
      type: 'AssertionError',
    });
    const body = textContent(failure as XmlElement);
    expect(body).toContain('+ 500');
    expect(body).toContain('<script>alert(1)</script>');
    expect(body).toContain(showable(HOSTILE_TRANSCRIPT_TEXT));
    expect(body).toContain('\\x01\\x1b[31mred');
  });

  it('reports a harness error as error with its stack', () => {
    const error = children(testcase('[UPG-1] MUST behaves (error)'), 'error')[0];
    expect(error?.attributes.type).toBe('TypeError');
    expect(textContent(error as XmlElement)).toContain('at bridge.spec.ts:40:7');
  });

  it('passes a known failure in JUnit terms and gives the ledger reason in system-out', () => {
    const known = testcase('[HND-2] MUST behaves (fail)');
    expect(children(known, 'failure')).toEqual([]);
    expect(children(known, 'error')).toEqual([]);
    const out = children(known, 'system-out')[0];
    expect(textContent(out as XmlElement)).toContain('upstream bug B.3: answers 500 instead of 409');
  });

  it('skips skipped and disabled tests and clauses no test ran, with the reason', () => {
    const reasons = (name: string): string | undefined =>
      children(testcase(name), 'skipped')[0]?.attributes.message;
    expect(reasons('[UPG-2] MUST behaves (skip)')).toBe('guest answered 501: attach unsupported');
    expect(reasons('[CMP-1] MUST behaves (disabled)')).toBe('the target offers no runtime facet');
    expect(reasons('[CMP-2] MAY The target does what CMP-2 requires.')).toBe(
      'pending: issue 12 adds the test',
    );
    expect(testcase('[SNP-1] MUST The target does what SNP-1 requires.').attributes.classname).toBe(
      'snapshot',
    );
  });

  it('puts tests outside any clause in a testsuite of their own, as errors', () => {
    const withOrphan = buildResults([buildClause('REG-1', 'MUST', [buildTest('REG-1', 'pass')])], {
      orphans: [
        {
          title: '(module) suite/10-registry/x.spec.ts',
          file: 'suite/10-registry/x.spec.ts',
          outcome: 'error',
          durationMs: 0,
          failure: { name: 'SyntaxError', message: 'Unexpected token' },
        },
      ],
    });
    const parsed = parseXml(renderJunit(withOrphan));
    const orphanSuite = children(parsed, 'testsuite').find((suite) => suite.attributes.name === ORPHAN_SUITE);
    expect(orphanSuite?.attributes).toMatchObject({ tests: '1', errors: '1' });
    expect(parsed.attributes.errors).toBe('1');
  });

  it('stays well-formed whatever the titles, messages and transcripts contain', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        (title, text) => {
          const hostile = buildResults([
            buildClause('HND-1', 'MUST', [
              buildTest('HND-1', 'fail', {
                title,
                failure: {
                  name: text,
                  message: text,
                  transcript: [{ peer: text, sent: text, received: text }],
                },
              }),
            ]),
          ]);
          const parsed = parseXml(renderJunit(hostile));
          const only = findElements(parsed, 'testcase')[0];
          expect(only?.attributes.name).toBe(showable(title));
          expect(findElements(parsed, 'failure')[0]?.attributes.message).toBe(showable(text));
        },
      ),
      { numRuns: 100 },
    );
    // A hundred renders and XML parses: CPU work that takes seconds on a loaded 2-core machine.
  }, 60_000);
});
