import { describe, expect, it } from 'vitest';
import {
  encodeVerdict,
  recordThrown,
  verdictKindOf,
  verdictOfTest,
  VERDICT_KINDS,
  type Verdict,
} from './verdict.js';

const meta = { clause: 'VSK-1', level: 'MUST', target: 'reference' } as const;

describe('verdictOfTest', () => {
  it('reads a recorded fail with its code and keeps the failure text of vitest', () => {
    const verdict = verdictOfTest({
      state: 'failed',
      error: { name: 'AssertionError', message: 'expected 1 to be 2', diff: '- 2\n+ 1' },
      meta: { ...meta, verdict: { kind: 'fail', code: 'ERR_ASSERTION_FAILED' } },
    });
    expect(verdict).toMatchObject({
      kind: 'fail',
      code: 'ERR_ASSERTION_FAILED',
      failure: { name: 'AssertionError', code: 'ERR_ASSERTION_FAILED', diff: '- 2\n+ 1' },
    });
  });

  it('makes an AssertionError the harness did not classify an error, never a fail by its name', () => {
    const unit = verdictOfTest({ state: 'failed', error: { name: 'AssertionError', message: 'x' } });
    expect(unit).toMatchObject({ kind: 'error', code: 'ERR_UNCLASSIFIED_FAILURE' });
  });

  it('reads a recorded error, known failure, skip and disabled', () => {
    const error = verdictOfTest({
      state: 'failed',
      meta: { ...meta, verdict: recordThrown(undefined, false) },
    });
    expect(error).toMatchObject({ kind: 'error', code: 'ERR_UNCODED' });
    const known = verdictOfTest({
      state: 'passed',
      meta: { ...meta, verdict: { kind: 'known-failure', reason: 'ledger' } },
    });
    expect(known).toEqual({ kind: 'known-failure', reason: 'ledger' });
    const skip = verdictOfTest({
      state: 'skipped',
      meta: { ...meta, verdict: { kind: 'skip', reason: 'no' } },
    });
    expect(skip).toEqual({ kind: 'skip', reason: 'no' });
    const disabled = verdictOfTest({
      state: 'skipped',
      meta: { ...meta, verdict: { kind: 'disabled', reason: 'no facet' } },
    });
    expect(disabled).toEqual({ kind: 'disabled', reason: 'no facet' });
    expect(verdictOfTest({ state: 'skipped', note: 'filtered' })).toEqual({
      kind: 'skip',
      reason: 'filtered',
    });
  });

  it('makes a test that never finished an error', () => {
    expect(verdictOfTest({ state: 'pending' })).toMatchObject({
      kind: 'error',
      code: 'ERR_TEST_NEVER_FINISHED',
    });
  });
});

describe('encodeVerdict and verdictKindOf', () => {
  const verdicts: Verdict[] = [
    { kind: 'pass' },
    { kind: 'known-failure', reason: 'ledger' },
    { kind: 'fail', code: 'ERR_CLAUSE_VIOLATION', failure: { name: 'ClauseViolationError', message: 'm' } },
    { kind: 'error', code: 'ERR_UNCODED', failure: { name: 'Error', message: 'm' } },
    { kind: 'skip', reason: 'unsupported' },
    { kind: 'disabled', reason: 'no facet' },
  ];

  it('writes every verdict kind so that it reads back as the same kind', () => {
    expect(verdicts.map((verdict) => verdictKindOf(encodeVerdict(verdict)))).toEqual([...VERDICT_KINDS]);
  });

  it('writes a known failure as results.json (berth.results/2) does: fail, expected, the reason', () => {
    expect(encodeVerdict({ kind: 'known-failure', reason: 'ledger' })).toEqual({
      outcome: 'fail',
      expected: true,
      reason: 'ledger',
    });
  });
});
