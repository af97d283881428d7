import { readFileSync } from 'node:fs';
import { isClauseId } from '../clauses/catalogue.js';
import { InvalidExpectationsError } from '../support/suite-errors.js';
import type { Expectation } from './expectation.js';

export type { Expectation } from './expectation.js';

/**
 * Parses a user's expectations file: JSON, an array of {clause, title?, reason}. Every problem is
 * reported with the entry's index, and nothing of a malformed file is used.
 */
export function parseExpectationsFile(text: string, path: string): Expectation[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InvalidExpectationsError(`${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!Array.isArray(data))
    throw new InvalidExpectationsError(`${path} must hold a JSON array of expectations`);
  return data.map((entry: unknown, index): Expectation => {
    const where = `${path}[${index}]`;
    if (typeof entry !== 'object' || entry === null)
      throw new InvalidExpectationsError(`${where} is not an object`);
    const { clause, title, reason, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0)
      throw new InvalidExpectationsError(`${where} has unknown keys: ${extra.join(', ')}`);
    if (typeof clause !== 'string' || !isClauseId(clause)) {
      throw new InvalidExpectationsError(
        `${where}.clause must be a clause id such as HND-12, got ${JSON.stringify(clause)}`,
      );
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new InvalidExpectationsError(`${where}.reason must be a non-empty string`);
    }
    if (title !== undefined && typeof title !== 'string') {
      throw new InvalidExpectationsError(`${where}.title must be a string when present`);
    }
    return title === undefined ? { clause, reason } : { clause, title, reason };
  });
}

/**
 * The ledger in force: the target's own entries (its definition's `expectations`) plus those of
 * the user's file (--expect, BERTH_EXPECT), if any.
 */
export function expectationsFor(
  own: readonly Expectation[],
  expectFile: string | undefined,
): readonly Expectation[] {
  if (expectFile === undefined) return own;
  let text: string;
  try {
    text = readFileSync(expectFile, 'utf8');
  } catch (error) {
    throw new InvalidExpectationsError(
      `cannot read BERTH_EXPECT file ${expectFile}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return [...own, ...parseExpectationsFile(text, expectFile)];
}

/** The ledger entry that covers a test, if any. */
export function findExpectation(
  ledger: readonly Expectation[],
  clause: string,
  fullTitle: string,
): Expectation | undefined {
  return ledger.find(
    (entry) => entry.clause === clause && (entry.title === undefined || fullTitle.includes(entry.title)),
  );
}
