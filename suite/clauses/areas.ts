import { FAMILIES, type ClausePrefix, type Component } from './catalogue.js';

/** A numbered folder of conformance specs and the clause prefix it checks. */
export interface Area {
  /** Folder under suite/, e.g. `20-proxy`. */
  readonly folder: string;
  readonly prefix: ClausePrefix;
  readonly component: Component;
}

/** The suite's areas in run order, one per family of the catalogue. */
export const AREAS: readonly Area[] = FAMILIES.map((family) => ({
  folder: family.area,
  prefix: family.prefix,
  component: family.component,
}));

/**
 * The area a user named: its folder (`20-proxy`), its number (`20`), its component (`proxy`) or
 * its clause prefix (`HND`, any case). Undefined when nothing matches.
 */
export function findArea(name: string): Area | undefined {
  const wanted = name.trim().toLowerCase();
  return AREAS.find(
    (candidate) =>
      candidate.folder === wanted ||
      candidate.folder.slice(0, 2) === wanted.padStart(2, '0') ||
      candidate.component === wanted ||
      candidate.prefix.toLowerCase() === wanted,
  );
}

/** The area whose specs check clauses of `prefix`. */
export function areaOfPrefix(prefix: string): Area | undefined {
  return AREAS.find((candidate) => candidate.prefix === prefix);
}
