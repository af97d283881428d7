import type { Clause } from './catalogue.js';

/** Where each clause is specified: its section in berth's own specification document. */
const SPEC = 'docs/spec/reg.md';

/**
 * REG: the workload registry, which maps container IDs, exec IDs, names and short-ID prefixes to
 * the role of the utility VM that owns the workload. Refused operations are silent no-ops (the
 * callers update the registry after the guest has already answered). REG-4, REG-7, REG-8, REG-12
 * and REG-13 pin fixes of upstream behaviour; REG-15..REG-17 cover what upstream's list lacks.
 */
export const regClauses = [
  {
    id: 'REG-1',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-1' },
    text: 'A fresh registry answers missing for every identifier.',
  },
  {
    id: 'REG-2',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-2' },
    text: 'A recorded key of any shape, not only a 64-hex ID, resolves by exact match to the role recorded for it.',
  },
  {
    id: 'REG-3',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-3' },
    text: 'Recording a key again replaces its role (the last record wins), and recording the same role again changes nothing.',
  },
  {
    id: 'REG-4',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-4' },
    text: 'An alias resolves to its canonical’s current role, so re-recording the canonical on another role moves every alias with it.',
  },
  {
    id: 'REG-5',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-5' },
    text: 'Adding an alias has no effect when the alias is empty, equals the canonical, or the canonical is not a key the registry holds exactly (a prefix does not count).',
  },
  {
    id: 'REG-6',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-6' },
    text: 'An added alias resolves to its canonical’s role; adding an alias another canonical owns moves it, so forgetting the old owner leaves it resolving to the new one, and adding it twice leaves one binding.',
  },
  {
    id: 'REG-7',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-7' },
    text: 'An alias added or renamed through another alias attaches to that alias’s canonical, so forgetting the canonical removes both and no alias is left dangling.',
  },
  {
    id: 'REG-8',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-8' },
    text: 'An alias equal to a recorded key (a canonical or an exec ID) is refused without effect, so that key keeps its own role and survives forgetting the would-be owner.',
  },
  {
    id: 'REG-9',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-9' },
    text: 'Renaming replaces every alias of the canonical with the new name, taking it from any previous owner, leaves no alias when the new name is empty or the canonical itself, and does nothing for an unknown canonical.',
  },
  {
    id: 'REG-10',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-10' },
    text: 'A short hex ID that is not itself a key resolves to the role of the recorded 64-hex keys it prefixes when they share one role, and is ambiguous, naming each role, when they span several.',
  },
  {
    id: 'REG-11',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-11' },
    text: 'Prefix matching applies only to 4 to 63 hex characters and compares case-sensitively, so shorter, non-hex and full-length identifiers resolve by exact key only.',
  },
  {
    id: 'REG-12',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-12' },
    text: 'Exec IDs share the prefix namespace with containers, so a 64-hex exec ID on another role makes a shared prefix ambiguous, while an alias never takes part in prefix matching.',
  },
  {
    id: 'REG-13',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-13' },
    text: 'Forgetting removes one exact key (never by prefix) and returns the role it resolved to: a canonical takes the aliases it owns with it, an alias leaves its canonical, and an unknown or repeated forget returns nothing.',
  },
  {
    id: 'REG-14',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-14' },
    text: 'Each operation is atomic, so operations issued concurrently leave the registry as if they had run one after another.',
  },
  {
    id: 'REG-15',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-15' },
    text: 'Recording a key that is currently an alias detaches it from its owner, so renaming or forgetting the old owner leaves the recorded key intact.',
  },
  {
    id: 'REG-16',
    level: 'SHOULD',
    source: { document: SPEC, section: 'REG-16' },
    text: 'A name with one leading slash is the same key as the name without it, for every operation, as Docker treats container names.',
  },
  {
    id: 'REG-17',
    level: 'MUST',
    source: { document: SPEC, section: 'REG-17' },
    text: 'After any sequence of record, alias, rename and forget operations, every lookup and forget answers as the plain model of these clauses does.',
  },
] as const satisfies readonly Clause[];
