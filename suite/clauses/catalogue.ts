/**
 * The clause catalogue's types. Every conformance test checks exactly one clause; ids are never
 * reused (a clause that no longer applies stays here with `retired`).
 */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

export const CLAUSE_PREFIXES = ['REG', 'HND', 'UPG', 'CMP', 'SNP', 'DKR', 'VSK', 'FLT', 'BAD'] as const;
export type ClausePrefix = (typeof CLAUSE_PREFIXES)[number];
export type ClauseId = `${ClausePrefix}-${number}`;

export interface ClauseSource {
  /** Document path relative to the project root (`../shared/design/...` for shared design). */
  readonly document: string;
  readonly section: string;
}

export interface Clause {
  readonly id: ClauseId;
  readonly level: Level;
  readonly source: ClauseSource;
  /** One sentence in berth's own words: what the target must (should, may) do. */
  readonly text: string;
  /** Why the clause has no test yet (for example the issue that will add it). */
  readonly pending?: string;
  /** Why the clause no longer applies; its id stays taken. */
  readonly retired?: string;
}

export const CLAUSE_ID_PATTERN = /^(REG|HND|UPG|CMP|SNP|DKR|VSK|FLT|BAD)-[1-9]\d*$/;

export function isClauseId(value: string): value is ClauseId {
  return CLAUSE_ID_PATTERN.test(value);
}

/** The part of a VM-backed engine a clause prefix checks (reports group and badge by component). */
export const COMPONENTS = {
  VSK: 'transport',
  REG: 'registry',
  HND: 'proxy',
  UPG: 'bridge',
  CMP: 'dispatch',
  SNP: 'snapshot',
  DKR: 'engine',
  FLT: 'faults',
  BAD: 'hostile input',
} as const satisfies Record<ClausePrefix, string>;
export type Component = (typeof COMPONENTS)[ClausePrefix];

export function componentOf(id: ClauseId): Component {
  return COMPONENTS[id.slice(0, id.indexOf('-')) as ClausePrefix];
}
