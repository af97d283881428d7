import { describe, expect, it } from 'vitest';
import { clauseOfTitle, isClauseSelected } from './task-meta.js';

describe('clause selection', () => {
  it('reads the clause a title starts with', () => {
    expect(clauseOfTitle('[HND-7] MUST answer')).toBe('HND-7');
    expect(clauseOfTitle('answers [HND-7] ')).toBeUndefined();
  });

  it('selects every test without --clause, and only the named clauses with it', () => {
    expect(isClauseSelected([], 'HND-7')).toBe(true);
    expect(isClauseSelected([], undefined)).toBe(true);
    expect(isClauseSelected(['HND-7', 'REG-1'], 'REG-1')).toBe(true);
    expect(isClauseSelected(['HND-7'], 'HND-70')).toBe(false);
    expect(isClauseSelected(['HND-7'], undefined)).toBe(false);
  });
});
