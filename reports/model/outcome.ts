/**
 * Outcomes of a clause, ordered: a clause's outcome is the worst of its tests', a run's the worst
 * of its clauses'. fail = the target broke the clause; error = the harness broke; skip = the
 * target proved "unsupported" with an answer the contract allows, or a precondition is missing;
 * disabled = the target does not offer what the clause checks. These are the outcomes results.json
 * writes; a test's verdict (verdict.ts) also has `known-failure`, and the roll-up is roll-up.ts.
 */
export const OUTCOMES = ['disabled', 'skip', 'pass', 'fail', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function outcomeRank(outcome: Outcome): number {
  return OUTCOMES.indexOf(outcome);
}

export function worstOutcome(outcomes: Iterable<Outcome>): Outcome {
  let worst: Outcome = 'disabled';
  for (const outcome of outcomes) if (outcomeRank(outcome) > outcomeRank(worst)) worst = outcome;
  return worst;
}
