import { AREAS, findArea } from '../suite/clauses/areas.js';
import {
  catalogue,
  COMPONENTS,
  familyOf,
  findClause,
  isWellFormedClauseId,
  LEVELS,
  type CatalogueClause,
} from '../suite/clauses/catalogue.js';
import { UsageError } from './cli-errors.js';
import type { ListCliOptions } from './run-options.js';

/** One catalogue entry as `berth list --json` prints it. */
export interface ListedClause {
  readonly id: string;
  readonly level: string;
  readonly component: string;
  readonly area: string;
  readonly text: string;
  readonly source: { readonly document: string; readonly section: string };
  readonly pending?: string;
  readonly retired?: string;
}

function listed(clause: CatalogueClause): ListedClause {
  const family = familyOf(clause.id);
  return {
    id: clause.id,
    level: clause.level,
    component: family.component,
    area: family.area,
    text: clause.text,
    source: clause.source,
    ...(clause.pending === undefined ? {} : { pending: clause.pending }),
    ...(clause.retired === undefined ? {} : { retired: clause.retired }),
  };
}

/** Checks every filter value; an unknown one is a usage error naming it and the valid values. */
function selectClauses(options: ListCliOptions): ListedClause[] {
  const areas = (options.area ?? []).map((name) => {
    const found = findArea(name);
    if (found === undefined) {
      throw new UsageError(`unknown area '${name}' (areas: ${AREAS.map((a) => a.folder).join(', ')})`);
    }
    return found.folder;
  });
  const components = (options.component ?? []).map((name) => {
    const known = Object.values(COMPONENTS) as string[];
    if (!known.includes(name.toLowerCase())) {
      throw new UsageError(`unknown component '${name}' (components: ${known.join(', ')})`);
    }
    return name.toLowerCase();
  });
  const levels = (options.level ?? []).map((level) => {
    if (!(LEVELS as readonly string[]).includes(level.toUpperCase())) {
      throw new UsageError(`unknown level '${level}' (levels: ${LEVELS.join(', ')})`);
    }
    return level.toUpperCase();
  });
  const ids = (options.clause ?? []).map((id) => {
    const upper = id.toUpperCase();
    if (!isWellFormedClauseId(upper))
      throw new UsageError(`'${id}' is not a clause id (expected PREFIX-N, e.g. HND-7)`);
    if (findClause(upper) === undefined) throw new UsageError(`clause ${upper} is not in the catalogue`);
    return upper;
  });
  return catalogue
    .map(listed)
    .filter(
      (clause) =>
        (areas.length === 0 || areas.includes(clause.area)) &&
        (components.length === 0 || components.includes(clause.component)) &&
        (levels.length === 0 || levels.includes(clause.level)) &&
        (ids.length === 0 || ids.includes(clause.id)),
    );
}

function status(clause: ListedClause): string {
  if (clause.retired !== undefined) return `retired: ${clause.retired}`;
  if (clause.pending !== undefined) return `pending: ${clause.pending}`;
  return '';
}

/** `berth list`: the clause catalogue, filtered, as an aligned table or as JSON. */
export function runList(options: ListCliOptions): Promise<number> {
  const clauses = selectClauses(options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(clauses, null, 2)}\n`);
    return Promise.resolve(0);
  }
  const idWidth = Math.max(2, ...clauses.map((clause) => clause.id.length));
  const componentWidth = Math.max(9, ...clauses.map((clause) => clause.component.length));
  const lines = [`${'ID'.padEnd(idWidth)}  LEVEL   ${'COMPONENT'.padEnd(componentWidth)}  CLAUSE`];
  for (const clause of clauses) {
    const note = status(clause);
    lines.push(
      `${clause.id.padEnd(idWidth)}  ${clause.level.padEnd(6)}  ${clause.component.padEnd(componentWidth)}  ${clause.text}${note === '' ? '' : ` (${note})`}`,
    );
  }
  lines.push(`${clauses.length} clause${clauses.length === 1 ? '' : 's'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return Promise.resolve(0);
}
