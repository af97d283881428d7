import { readFileSync } from 'node:fs';
import { OUTCOMES, type Outcome } from '../model/outcome.js';
import { RESULTS_SCHEMA, type ResultsFile } from '../model/results.js';
import { InvalidResultsFileError } from './render-errors.js';
import { countClauseOutcomes, countKnownFailures } from '../model/roll-up.js';

const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;
const PROFILES = ['quick', 'core', 'full'] as const;
/** Clause ids as any berth writes them (a newer catalogue may add prefixes). */
const CLAUSE_ID = /^[A-Z]+-[1-9]\d*$/;
const SCHEMA_NAME = /^berth\.results\/(\d+)$/;
const SUPPORTED_VERSION = Number(SCHEMA_NAME.exec(RESULTS_SCHEMA)?.[1]);

type Json = Readonly<Record<string, unknown>>;

function oneLine(text: string, limit = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return oneLine(JSON.stringify(value), 60);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/** Checks one results file's fields, naming the JSON path of the first one that is wrong. */
class FieldChecker {
  constructor(private readonly file: string) {}

  fail(path: string, expected: string, value: unknown): never {
    const found = value === undefined ? 'missing' : `found ${describeValue(value)}`;
    throw new InvalidResultsFileError(this.file, 'field', `${path}: expected ${expected}, ${found}`, {
      jsonPath: path,
    });
  }

  object(value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(path, 'an object', value);
    return value as Json;
  }

  array(value: unknown, path: string): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'an array', value);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, 'a string', value);
    return value;
  }

  optionalString(value: unknown, path: string): void {
    if (value !== undefined) this.string(value, path);
  }

  boolean(value: unknown, path: string): void {
    if (typeof value !== 'boolean') this.fail(path, 'true or false', value);
  }

  count(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      this.fail(path, 'a whole number of at least 0', value);
    }
    return value;
  }

  duration(value: unknown, path: string): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.fail(path, 'a duration in milliseconds (a number of at least 0)', value);
    }
  }

  oneOf<const T extends string>(value: unknown, choices: readonly T[], path: string): T {
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(path, `one of ${choices.join(', ')}`, value);
    }
    return value as T;
  }

  matching(value: unknown, pattern: RegExp, what: string, path: string): void {
    if (typeof value !== 'string' || !pattern.test(value)) this.fail(path, what, value);
  }

  stringList(value: unknown, path: string): void {
    this.array(value, path).forEach((item, i) => this.string(item, `${path}[${i}]`));
  }

  testResult(value: unknown, path: string): void {
    const test = this.object(value, path);
    this.string(test.title, `${path}.title`);
    this.string(test.file, `${path}.file`);
    this.oneOf(test.outcome, OUTCOMES, `${path}.outcome`);
    this.duration(test.durationMs, `${path}.durationMs`);
    this.optionalString(test.reason, `${path}.reason`);
    if (test.expected !== undefined) this.boolean(test.expected, `${path}.expected`);
    if (test.failure === undefined) return;
    const failure = this.object(test.failure, `${path}.failure`);
    this.string(failure.name, `${path}.failure.name`);
    this.optionalString(failure.code, `${path}.failure.code`);
    this.string(failure.message, `${path}.failure.message`);
    this.optionalString(failure.diff, `${path}.failure.diff`);
    this.optionalString(failure.stack, `${path}.failure.stack`);
    if (failure.transcript === undefined) return;
    this.array(failure.transcript, `${path}.failure.transcript`).forEach((item, i) => {
      const entryPath = `${path}.failure.transcript[${i}]`;
      const entry = this.object(item, entryPath);
      this.string(entry.peer, `${entryPath}.peer`);
      this.string(entry.sent, `${entryPath}.sent`);
      this.string(entry.received, `${entryPath}.received`);
    });
  }

  clause(value: unknown, path: string): { outcome: Outcome; expected: boolean } {
    const clause = this.object(value, path);
    this.matching(clause.id, CLAUSE_ID, 'a clause id such as HND-7', `${path}.id`);
    this.matching(clause.component, /\S/, 'a component name', `${path}.component`);
    this.oneOf(clause.level, LEVELS, `${path}.level`);
    this.string(clause.text, `${path}.text`);
    const source = this.object(clause.source, `${path}.source`);
    this.string(source.document, `${path}.source.document`);
    this.string(source.section, `${path}.source.section`);
    const outcome = this.oneOf(clause.outcome, OUTCOMES, `${path}.outcome`);
    this.duration(clause.durationMs, `${path}.durationMs`);
    this.boolean(clause.expected, `${path}.expected`);
    this.optionalString(clause.reason, `${path}.reason`);
    this.array(clause.tests, `${path}.tests`).forEach((test, i) =>
      this.testResult(test, `${path}.tests[${i}]`),
    );
    return { outcome, expected: clause.expected === true };
  }
}

function checkSchema(file: string, root: Json): void {
  const schema = root.schema;
  const supported = `this berth reads ${RESULTS_SCHEMA}`;
  if (schema === RESULTS_SCHEMA) return;
  if (typeof schema !== 'string') {
    throw new InvalidResultsFileError(
      file,
      'not-results',
      `not a berth results file: no "schema" string (found ${describeValue(schema)}); ${supported}`,
    );
  }
  const version = Number(SCHEMA_NAME.exec(schema)?.[1] ?? Number.NaN);
  if (version < SUPPORTED_VERSION) {
    throw new InvalidResultsFileError(
      file,
      'older-schema',
      `schema ${schema} was written by an older berth and must be regenerated with \`berth run\`; ${supported}`,
      { schema },
    );
  }
  if (version > SUPPORTED_VERSION) {
    throw new InvalidResultsFileError(
      file,
      'newer-schema',
      `schema ${schema} was written by a newer berth; ${supported} (update berth to render it)`,
      { schema },
    );
  }
  throw new InvalidResultsFileError(
    file,
    'unknown-schema',
    `unknown schema ${describeValue(schema)}; ${supported}`,
    {
      schema,
    },
  );
}

/**
 * Checks that `value` is a results file this berth can render: the supported schema, every
 * required field present with the right type, and counts that agree with the clauses. Throws
 * InvalidResultsFileError naming the JSON path of the first problem (`clauses[3].outcome`).
 */
export function assertResultsFile(value: unknown, file = 'results file'): asserts value is ResultsFile {
  const check = new FieldChecker(file);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidResultsFileError(
      file,
      'not-results',
      `not a berth results file: expected a JSON object, found ${describeValue(value)}`,
    );
  }
  const root = value as Json;
  checkSchema(file, root);

  const tool = check.object(root.tool, 'tool');
  check.oneOf(tool.name, ['berth'], 'tool.name');
  check.string(tool.version, 'tool.version');

  const target = check.object(root.target, 'target');
  check.string(target.name, 'target.name');
  check.string(target.description, 'target.description');
  const options = check.object(target.options, 'target.options');
  for (const [key, option] of Object.entries(options)) check.string(option, `target.options.${key}`);
  check.object(target.probe, 'target.probe');

  const selection = check.object(root.selection, 'selection');
  check.oneOf(selection.profile, PROFILES, 'selection.profile');
  check.stringList(selection.areas, 'selection.areas');
  check.stringList(selection.clauses, 'selection.clauses');

  check.optionalString(root.expectationsFile, 'expectationsFile');
  if (typeof root.seed !== 'number' || !Number.isInteger(root.seed))
    check.fail('seed', 'an integer', root.seed);
  if (Number.isNaN(Date.parse(check.string(root.startedAt, 'startedAt')))) {
    check.fail('startedAt', 'an ISO 8601 time', root.startedAt);
  }
  check.duration(root.durationMs, 'durationMs');
  check.oneOf(root.outcome, OUTCOMES, 'outcome');
  const counts = check.object(root.counts, 'counts');
  for (const outcome of OUTCOMES) check.count(counts[outcome], `counts.${outcome}`);
  const knownFailures = check.count(root.knownFailures, 'knownFailures');

  const clauses = check
    .array(root.clauses, 'clauses')
    .map((clause, i) => check.clause(clause, `clauses[${i}]`));
  check.array(root.orphans, 'orphans').forEach((orphan, i) => check.testResult(orphan, `orphans[${i}]`));

  // The counts are derived from the clauses; a file where they disagree was edited by hand.
  const clauseCounts = countClauseOutcomes(clauses);
  for (const outcome of OUTCOMES) {
    const actual = clauseCounts[outcome];
    if (counts[outcome] !== actual) {
      check.fail(`counts.${outcome}`, `${actual} (the clauses with outcome ${outcome})`, counts[outcome]);
    }
  }
  const expected = countKnownFailures(clauses);
  if (knownFailures !== expected) {
    check.fail('knownFailures', `${expected} (the clauses with expected: true)`, knownFailures);
  }
}

/** Parses and checks the text of a results file (see assertResultsFile). */
export function parseResultsFile(text: string, file = 'results file'): ResultsFile {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const reason = error instanceof Error ? oneLine(error.message) : 'unparsable';
    throw new InvalidResultsFileError(file, 'not-json', `not JSON (${reason})`, {}, { cause: error });
  }
  assertResultsFile(value, file);
  return value;
}

/** Reads, parses and checks a results.json written by `berth run`. */
export function readResultsFile(path: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : error instanceof Error
            ? oneLine(error.message)
            : String(error);
    throw new InvalidResultsFileError(
      path,
      'unreadable',
      `cannot read the results file (${reason})`,
      {},
      { cause: error },
    );
  }
  return parseResultsFile(text, path);
}
