import { describe, expect, it } from 'vitest';
import type { Outcome } from './outcome.js';
import type { TestResult } from './results.js';
import {
  countClauseOutcomes,
  isFailingResult,
  rollUpClause,
  rollUpComponent,
  rollUpRun,
  tallyClauses,
  tallyTests,
} from './roll-up.js';

function test(outcome: Outcome, expected?: boolean): TestResult {
  return {
    title: `t ${outcome}`,
    file: 'f.spec.ts',
    outcome,
    durationMs: 1,
    ...(expected ? { expected } : {}),
  };
}

function clause(tests: TestResult[], level: 'MUST' | 'SHOULD' | 'MAY' = 'MUST') {
  return {
    id: 'VSK-1',
    component: 'transport',
    level,
    text: 't',
    source: { document: 'd', section: 's' },
    durationMs: 0,
    tests,
    ...rollUpClause(tests),
  };
}

describe('rollUpClause', () => {
  it('takes the worst outcome of the tests that are not known failures', () => {
    expect(rollUpClause([test('pass'), test('skip'), test('fail')])).toEqual({
      outcome: 'fail',
      expected: false,
    });
    expect(rollUpClause([test('fail'), test('error')])).toEqual({ outcome: 'error', expected: false });
  });

  it('makes a clause with a known failure and otherwise passing tests a known failure', () => {
    expect(rollUpClause([test('fail', true)])).toEqual({ outcome: 'fail', expected: true });
    expect(rollUpClause([test('fail', true), test('pass')])).toEqual({ outcome: 'fail', expected: true });
    expect(rollUpClause([test('fail', true), test('error')])).toEqual({ outcome: 'error', expected: true });
  });
});

describe('rollUpRun', () => {
  it('leaves known failures out of the run outcome', () => {
    expect(rollUpRun([clause([test('fail', true)]), clause([test('pass')])], [])).toBe('pass');
  });

  it('fails with the worst failing clause or orphan', () => {
    expect(rollUpRun([clause([test('fail')]), clause([test('pass')])], [])).toBe('fail');
    expect(rollUpRun([clause([test('pass')])], [test('error')])).toBe('error');
  });

  it('makes a run that checked nothing an error', () => {
    expect(rollUpRun([clause([test('skip')]), clause([test('disabled')])], [])).toBe('error');
    expect(rollUpRun([], [])).toBe('error');
  });
});

describe('tallies', () => {
  it('counts tests for the closing line: a known failure is passed, orphans are failed', () => {
    const tally = tallyTests(
      [clause([test('pass'), test('fail', true), test('skip'), test('error')])],
      [test('error')],
    );
    expect(tally).toEqual({ passed: 2, failed: 2, skipped: 1, knownFailures: 1, checkedNothing: false });
    expect(tallyTests([clause([test('skip')])], [])).toMatchObject({ failed: 1, checkedNothing: true });
  });

  it('counts clauses by outcome (known failures in fail) and by verdict (known failures apart)', () => {
    const clauses = [clause([test('fail', true)]), clause([test('fail')], 'SHOULD'), clause([test('pass')])];
    expect(countClauseOutcomes(clauses)).toMatchObject({ pass: 1, fail: 2 });
    const tally = tallyClauses(clauses);
    expect(tally).toMatchObject({ pass: 1, fail: 1, 'known-failure': 1, clauses: 3 });
    expect(tally.byLevel.SHOULD.fail).toBe(1);
  });

  it('rolls a component up with known failures counted as passes', () => {
    expect(rollUpComponent([clause([test('fail', true)]), clause([test('skip')])])).toBe('pass');
    expect(rollUpComponent([clause([test('fail')])])).toBe('fail');
    expect(isFailingResult(test('fail', true))).toBe(false);
    expect(isFailingResult(test('error'))).toBe(true);
  });
});
