import { findClause, isWellFormedClauseId, type CatalogueClause } from './catalogue.js';

export * from './catalogue.js';
export * from './areas.js';

export class UnknownClauseError extends Error {
  readonly code = 'ERR_SUITE_UNKNOWN_CLAUSE';
  constructor(readonly id: string) {
    super(
      isWellFormedClauseId(id)
        ? `clause ${id} is not in the catalogue (suite/clauses/); add it there first`
        : `'${id}' is not a clause id (expected PREFIX-N, e.g. HND-12)`,
    );
  }
}

export function getClause(id: string): CatalogueClause {
  const clause = findClause(id);
  if (clause === undefined) throw new UnknownClauseError(id);
  return clause;
}
