import { type Clause, type ClauseId, isClauseId } from './catalogue.js';
import { cmpClauses } from './cmp.js';
import { badClauses } from './bad.js';
import { dkrClauses } from './dkr.js';
import { fltClauses } from './flt.js';
import { hndClauses } from './hnd.js';
import { regClauses } from './reg.js';
import { snpClauses } from './snp.js';
import { upgClauses } from './upg.js';
import { vskClauses } from './vsk.js';

export * from './catalogue.js';

/** Every clause berth knows, in catalogue order. */
export const catalogue: readonly Clause[] = [
  ...vskClauses,
  ...regClauses,
  ...hndClauses,
  ...upgClauses,
  ...cmpClauses,
  ...snpClauses,
  ...dkrClauses,
  ...fltClauses,
  ...badClauses,
];

const byId = new Map<string, Clause>(catalogue.map((clause) => [clause.id, clause]));

export class UnknownClauseError extends Error {
  readonly code = 'ERR_SUITE_UNKNOWN_CLAUSE';
  constructor(readonly id: string) {
    super(
      isClauseId(id)
        ? `clause ${id} is not in the catalogue (suite/clauses/); add it there first`
        : `'${id}' is not a clause id (expected PREFIX-N, e.g. HND-12)`,
    );
  }
}

export function findClause(id: string): Clause | undefined {
  return byId.get(id);
}

export function getClause(id: string): Clause {
  const clause = byId.get(id);
  if (clause === undefined) throw new UnknownClauseError(id);
  return clause;
}

export type { ClauseId };
