import { badClauses } from './bad.js';
import { cmpClauses } from './cmp.js';
import { dkrClauses } from './dkr.js';
import { fltClauses } from './flt.js';
import { hndClauses } from './hnd.js';
import { regClauses } from './reg.js';
import { snpClauses } from './snp.js';
import { upgClauses } from './upg.js';
import { vskClauses } from './vsk.js';

/**
 * The clause catalogue: one family of clauses per part of a VM-backed engine. Every conformance
 * test checks exactly one clause; ids are never reused (a clause that no longer applies stays in
 * its family with `retired`).
 */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const satisfies readonly Level[];

export interface ClauseSource {
  /** Document path relative to the project root (`docs/spec/<family>.md`). */
  readonly document: string;
  readonly section: string;
}

/** A catalogue entry, as its family file writes it (`ClauseId` is derived from these). */
export interface Clause {
  readonly id: `${string}-${number}`;
  readonly level: Level;
  readonly source: ClauseSource;
  /** One sentence in berth's own words: what the target must (should, may) do. */
  readonly text: string;
  /** Why the clause has no test yet (for example the issue that will add it). */
  readonly pending?: string;
  /** Why the clause no longer applies; its id stays taken. */
  readonly retired?: string;
}

/** One family: its id prefix, the component it checks, the spec folder under suite/, its clauses. */
export interface Family {
  readonly prefix: string;
  /** Reports group and badge by component. */
  readonly component: string;
  /** Folder of the family's specs under suite/ (`20-proxy`), in run order. */
  readonly area: `${number}-${string}`;
  readonly clauses: readonly Clause[];
}

/**
 * Every family, in catalogue (and run) order. A new family is one row here and its clause file;
 * prefixes, components, areas, the id pattern and the `ClauseId` type all derive from this table.
 */
export const FAMILIES = [
  { prefix: 'VSK', component: 'transport', area: '05-vsock', clauses: vskClauses },
  { prefix: 'REG', component: 'registry', area: '10-registry', clauses: regClauses },
  { prefix: 'HND', component: 'proxy', area: '20-proxy', clauses: hndClauses },
  { prefix: 'UPG', component: 'bridge', area: '30-bridge', clauses: upgClauses },
  { prefix: 'CMP', component: 'dispatch', area: '40-dispatch', clauses: cmpClauses },
  { prefix: 'SNP', component: 'snapshot', area: '50-snapshot', clauses: snpClauses },
  { prefix: 'DKR', component: 'engine', area: '60-engine', clauses: dkrClauses },
  { prefix: 'FLT', component: 'faults', area: '70-faults', clauses: fltClauses },
  { prefix: 'BAD', component: 'hostile input', area: '80-hostile-input', clauses: badClauses },
] as const satisfies readonly Family[];

type FamilyRow = (typeof FAMILIES)[number];
export type ClausePrefix = FamilyRow['prefix'];
export type Component = FamilyRow['component'];
/** The id of a clause of the catalogue: `clause('HND-99', ...)` does not compile. */
export type ClauseId = FamilyRow['clauses'][number]['id'];
/** A clause of the catalogue, with its id typed as one of the catalogue's. */
export type CatalogueClause = Clause & { readonly id: ClauseId };

export const CLAUSE_PREFIXES: readonly ClausePrefix[] = FAMILIES.map((family) => family.prefix);

/** The part of a VM-backed engine a clause prefix checks (reports group and badge by component). */
export const COMPONENTS = Object.fromEntries(FAMILIES.map((family) => [family.prefix, family.component])) as {
  readonly [F in FamilyRow as F['prefix']]: F['component'];
};

/** Well-formed clause ids (`HND-7`): a known prefix and a number; not necessarily in the catalogue. */
export const CLAUSE_ID_PATTERN = new RegExp(`^(${CLAUSE_PREFIXES.join('|')})-[1-9]\\d*$`);

/** Every clause berth knows, in catalogue order. */
export const catalogue: readonly CatalogueClause[] = FAMILIES.flatMap(
  (family): readonly CatalogueClause[] => family.clauses,
);

const byId = new Map<string, CatalogueClause>(catalogue.map((clause) => [clause.id, clause]));

/** True for a well-formed id (`PREFIX-N` with a known prefix), whether or not the catalogue has it. */
export function isWellFormedClauseId(value: string): boolean {
  return CLAUSE_ID_PATTERN.test(value);
}

/** True for the id of a clause in the catalogue. */
export function isClauseId(value: string): value is ClauseId {
  return byId.has(value);
}

/** The catalogue clause with this id, if any. */
export function findClause(id: string): CatalogueClause | undefined {
  return byId.get(id);
}

/** The family a clause id belongs to, by its prefix. */
export function familyOf(id: ClauseId): FamilyRow {
  const prefix = id.slice(0, id.indexOf('-'));
  return FAMILIES.find((family) => family.prefix === prefix)!;
}

export function componentOf(id: ClauseId): Component {
  return familyOf(id).component;
}
