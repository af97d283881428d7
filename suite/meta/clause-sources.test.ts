import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue as CLAUSES } from '../clauses/index.js';
import { ROOT } from './project-files.js';

/** Every clause cites a document of the repository, and that document has the clause's section. */
const SPEC_DIR = 'docs/spec';
const HEADING = /^## ([A-Z]+-[1-9]\d*) · \S/;

function headingsOf(document: string): string[] {
  const text = readFileSync(join(ROOT, document), 'utf8');
  return text
    .split('\n')
    .map((line) => HEADING.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
}

const specDocuments = readdirSync(join(ROOT, SPEC_DIR))
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .map((name) => `${SPEC_DIR}/${name}`);

describe('clause sources', () => {
  it('cite a document inside the repository that exists', () => {
    const outside = CLAUSES.filter(
      (c) => c.source.document.startsWith('..') || !existsSync(join(ROOT, c.source.document)),
    ).map((c) => `${c.id}: ${c.source.document}`);
    expect(outside).toEqual([]);
  });

  it('name their own id as the section, and that section is a heading of the document', () => {
    const wrong: string[] = [];
    for (const c of CLAUSES) {
      if (c.source.section !== c.id) wrong.push(`${c.id}: section ${c.source.section}`);
      else if (!headingsOf(c.source.document).includes(c.id))
        wrong.push(`${c.id}: no "## ${c.id} · ..." in ${c.source.document}`);
    }
    expect(wrong).toEqual([]);
  });

  it('every clause section of the specification belongs to a catalogued clause citing that document, once', () => {
    const cited = new Map(CLAUSES.map((c) => [c.id as string, c.source.document]));
    const stray: string[] = [];
    for (const document of specDocuments) {
      const ids = headingsOf(document);
      for (const id of ids) {
        if (cited.get(id) !== document)
          stray.push(`${document}: ${id} (catalogue cites ${cited.get(id) ?? 'nothing'})`);
      }
      const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
      stray.push(...twice.map((id) => `${document}: ${id} twice`));
    }
    expect(stray).toEqual([]);
  });

  it('no clause-like level-2 heading is malformed (so the checks above cannot miss a section)', () => {
    const malformed: string[] = [];
    for (const document of specDocuments) {
      for (const line of readFileSync(join(ROOT, document), 'utf8').split('\n')) {
        if (/^##\s+[A-Z]{3}-\d/.test(line) && !HEADING.test(line)) malformed.push(`${document}: ${line}`);
      }
    }
    expect(malformed).toEqual([]);
  });
});
