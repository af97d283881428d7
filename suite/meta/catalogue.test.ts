import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue, CLAUSE_ID_PATTERN, getClause } from '../clauses/index.js';
import { ROOT } from './project-files.js';

describe('clause catalogue', () => {
  it('has unique ids of the form PREFIX-N', () => {
    const ids = catalogue.map((clause) => clause.id);
    expect(ids.filter((id) => !CLAUSE_ID_PATTERN.test(id))).toEqual([]);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('gives every clause a level, one sentence and a source document that exists', () => {
    const problems = catalogue.flatMap((clause) => {
      const found: string[] = [];
      if (!['MUST', 'SHOULD', 'MAY'].includes(clause.level))
        found.push(`${clause.id}: level ${clause.level}`);
      if (!/^[A-Z].*\.$/.test(clause.text) || clause.text.length < 20)
        found.push(`${clause.id}: text is not one sentence`);
      if ((clause.text.match(/\. [A-Z]/g) ?? []).length > 0)
        found.push(`${clause.id}: text has more than one sentence`);
      if (!existsSync(join(ROOT, clause.source.document)))
        found.push(`${clause.id}: ${clause.source.document} missing`);
      if (clause.source.section.trim() === '') found.push(`${clause.id}: empty source section`);
      if (clause.pending !== undefined && clause.retired !== undefined)
        found.push(`${clause.id}: pending and retired`);
      return found;
    });
    expect(problems).toEqual([]);
  });

  it('refuses unknown and malformed ids with a typed error', () => {
    expect(() => getClause('VSK-999')).toThrow(expect.objectContaining({ code: 'ERR_SUITE_UNKNOWN_CLAUSE' }));
    expect(() => getClause('nonsense')).toThrow(
      expect.objectContaining({ code: 'ERR_SUITE_UNKNOWN_CLAUSE' }),
    );
  });
});
