import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AREAS,
  catalogue,
  CLAUSE_ID_PATTERN,
  CLAUSE_PREFIXES,
  COMPONENTS,
  componentOf,
  FAMILIES,
  findArea,
  getClause,
  isClauseId,
  isWellFormedClauseId,
  type ClauseId,
} from '../clauses/index.js';
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

  it('derives prefixes, components, areas and ids from the one family table', () => {
    const column = (key: 'prefix' | 'component' | 'area') => FAMILIES.map((family) => family[key]);
    for (const key of ['prefix', 'component', 'area'] as const) {
      expect(new Set(column(key)).size, `${key}s are unique`).toBe(FAMILIES.length);
    }
    expect(CLAUSE_PREFIXES).toEqual(column('prefix'));
    expect(AREAS.map((area) => [area.folder, area.prefix, area.component])).toEqual(
      FAMILIES.map((family) => [family.area, family.prefix, family.component]),
    );
    expect(catalogue.map((clause) => clause.id)).toEqual(
      FAMILIES.flatMap((family) => family.clauses.map((clause) => clause.id)),
    );
    const misfiled = FAMILIES.flatMap((family) =>
      family.clauses
        .filter((clause) => !clause.id.startsWith(`${family.prefix}-`))
        .map((clause) => `${clause.id} is in the ${family.prefix} family`),
    );
    expect(misfiled).toEqual([]);
    for (const family of FAMILIES) {
      expect(existsSync(join(ROOT, 'suite', family.area)), `suite/${family.area}`).toBe(true);
      expect(findArea(family.prefix.toLowerCase())?.folder).toBe(family.area);
      expect(COMPONENTS[family.prefix]).toBe(family.component);
      for (const clause of family.clauses) expect(componentOf(clause.id)).toBe(family.component);
    }
  });

  it('tells a well-formed id from an id of the catalogue', () => {
    expect(isWellFormedClauseId('HND-999')).toBe(true);
    expect(isClauseId('HND-999')).toBe(false);
    expect(isClauseId('HND-7')).toBe(true);
    for (const malformed of ['hnd-7', 'HND-0', 'HND-07', 'XYZ-1', 'HND7', ' HND-7']) {
      expect(isWellFormedClauseId(malformed), malformed).toBe(false);
      expect(isClauseId(malformed), malformed).toBe(false);
    }
    // The type is the catalogue's ids, not a pattern: an id the catalogue lacks does not compile.
    const known: ClauseId = 'HND-7';
    // @ts-expect-error HND-99 is not in the catalogue
    const unknown: ClauseId = 'HND-99';
    expect([known, unknown].map((id) => isClauseId(id))).toEqual([true, false]);
  });

  it('refuses unknown and malformed ids with a typed error', () => {
    expect(() => getClause('VSK-999')).toThrow(expect.objectContaining({ code: 'ERR_SUITE_UNKNOWN_CLAUSE' }));
    expect(() => getClause('nonsense')).toThrow(
      expect.objectContaining({ code: 'ERR_SUITE_UNKNOWN_CLAUSE' }),
    );
  });
});
