import { createHash } from 'node:crypto';

/**
 * DKR-5: 64 lower-case hex IDs, deterministic for one seed (a simulator) and distinct between
 * seeds. Like stringid.GenerateRandomID, an ID whose 12-character short form is all digits is
 * skipped (clients would read it as a number).
 */
export interface IdGenerator {
  next(kind: string): string;
  /** A deterministic pick in [0, n) for `kind`, for names and the like. */
  pick(kind: string, n: number): number;
}

export function createIdGenerator(seed: string): IdGenerator {
  let counter = 0;
  const digest = (text: string): string => createHash('sha256').update(text).digest('hex');
  return {
    next(kind) {
      for (;;) {
        counter += 1;
        const id = digest(`${seed}\0${kind}\0${counter}`);
        if (!/^[0-9]{12}/.test(id)) return id;
      }
    },
    pick(kind, n) {
      counter += 1;
      return parseInt(digest(`${seed}\0${kind}\0${counter}`).slice(0, 8), 16) % n;
    },
  };
}
