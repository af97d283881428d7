import { makeBadge } from 'badge-maker';
import type { ResultsFile } from '../model/results.js';
import { summarizeResults } from './summarize-results.js';
import type { ClauseTally } from '../model/roll-up.js';

export type BadgeColour = 'green' | 'amber' | 'red' | 'grey';

/** The colours drawn (shields.io's brightgreen, yellow, red and lightgrey). */
export const BADGE_COLOURS: Readonly<Record<BadgeColour, string>> = {
  green: '#4c1',
  amber: '#dfb317',
  red: '#e05d44',
  grey: '#9f9f9f',
};

export interface Badge {
  readonly label: string;
  readonly message: string;
  readonly colour: BadgeColour;
  /** File name inside the badges folder: `conformance.svg` or `<component>.svg`. */
  readonly fileName: string;
  readonly svg: string;
}

/**
 * A badge's message and colour from the clauses it covers.
 *
 * - message `passed/total`: passed = clauses whose outcome is pass; total = clauses that reached a
 *   verdict (pass, fail, known failure, error). Skipped and disabled clauses are left out, and a
 *   known failure counts in the total but not as passed.
 * - red: any error, or an unexpected failure of a MUST clause.
 * - amber: otherwise, when the only failures are SHOULD/MAY clauses or known failures (the run
 *   does not fail on them, but the target does not conform fully either).
 * - green: every clause that reached a verdict passed.
 * - grey: no clause reached a verdict (every one skipped); red instead when that is an error.
 */
export function badgeVerdict(
  tally: ClauseTally,
  options: { readonly extraErrors?: number; readonly runError?: boolean } = {},
): { message: string; colour: BadgeColour } {
  const extraErrors = options.extraErrors ?? 0;
  const total = tally.pass + tally.fail + tally['known-failure'] + tally.error;
  const suffix = extraErrors > 0 ? ` +${extraErrors} error${extraErrors === 1 ? '' : 's'}` : '';
  const message =
    (total === 0 ? (tally.skip > 0 ? 'skipped' : 'none ran') : `${tally.pass}/${total}`) + suffix;
  let colour: BadgeColour;
  if (tally.error > 0 || extraErrors > 0 || options.runError === true || tally.byLevel.MUST.fail > 0)
    colour = 'red';
  else if (total === 0) colour = 'grey';
  else if (tally.fail > 0 || tally['known-failure'] > 0) colour = 'amber';
  else colour = 'green';
  return { message, colour };
}

/** `hostile input` → `hostile-input`: a component name as a file name. */
export function badgeFileName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug === '' ? 'component' : slug}.svg`;
}

function draw(label: string, verdict: { message: string; colour: BadgeColour }, fileName: string): Badge {
  const svg = makeBadge({ label, message: verdict.message, color: BADGE_COLOURS[verdict.colour] });
  return { label, ...verdict, fileName, svg };
}

/**
 * The overall `conformance` badge (errors outside any clause and a run that checked nothing make
 * it red), then one badge per component that has at least one clause that was not disabled.
 */
export function renderBadges(results: ResultsFile): Badge[] {
  const summary = summarizeResults(results);
  const overall = draw(
    'conformance',
    badgeVerdict(summary.overall, {
      extraErrors: summary.orphanErrors,
      runError: results.outcome === 'error',
    }),
    'conformance.svg',
  );
  const components = summary.components
    .filter((component) => component.tally.disabled < component.tally.clauses)
    .map((component) =>
      draw(component.component, badgeVerdict(component.tally), badgeFileName(component.component)),
    );
  return [overall, ...components];
}
