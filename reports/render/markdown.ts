import { Buffer } from 'node:buffer';
import type { Outcome } from '../model/outcome.js';
import type { ClauseResult, ResultsFile, TestResult } from '../model/results.js';
import { showable } from './escape-markup.js';
import { formatDuration, formatFact, formatTranscript } from './format-report-text.js';
import { LEVELS, summarizeResults } from './summarize-results.js';
import type { ClauseTally } from '../model/roll-up.js';
import { verdictKindOf } from '../model/verdict.js';

const OUTCOME_MARK: Readonly<Record<Outcome, string>> = {
  pass: '✅',
  fail: '❌',
  error: '💥',
  skip: '⏭️',
  disabled: '⏸️',
};

/**
 * Text for inline Markdown (headings, table cells, list items): one line, Markdown punctuation
 * escaped, and `<`, `>`, `&` as entities, so that nothing in it renders as markup or HTML.
 */
export function markdownInline(text: string): string {
  return showable(text)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[&<>]/g, (char) => (char === '&' ? '&amp;' : char === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_[\]|~#]/g, (char) => `\\${char}`);
}

/**
 * A fenced code block whose fence is longer than any run of backticks in `text` (so no line of
 * the text can close it). Line endings become `\n`: Markdown reads a lone `\r` as a line break.
 */
export function markdownFence(text: string, info = 'text'): string {
  let longest = 0;
  for (const run of text.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${showable(text.replace(/\r\n?/g, '\n')).replace(/\n$/, '')}\n${fence}`;
}

function code(text: string): string {
  // Inline code: a backtick run longer than any inside, padded when the text touches a backtick.
  let longest = 0;
  for (const run of text.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  const ticks = '`'.repeat(longest + 1);
  const flat = showable(text).replace(/[\r\n]+/g, ' ');
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

function tableRow(cells: readonly (string | number)[]): string {
  return `| ${cells.map(String).join(' | ')} |`;
}

function countsLine(tally: ClauseTally): string {
  const parts = [
    `${tally.pass} passed`,
    `${tally.fail} failed`,
    `${tally['known-failure']} known failures`,
    `${tally.error} errors`,
    `${tally.skip} skipped`,
    `${tally.disabled} disabled`,
  ];
  return parts.join(', ');
}

function componentTable(results: ResultsFile): string[] {
  const summary = summarizeResults(results);
  const header = [
    'component',
    'outcome',
    ...LEVELS.flatMap((level) => [`${level} pass`, `${level} fail`]),
    'errors',
    'known failures',
    'skipped',
    'disabled',
  ];
  const row = (name: string, outcome: Outcome, tally: ClauseTally): string =>
    tableRow([
      name,
      `${OUTCOME_MARK[outcome]} ${outcome}`,
      ...LEVELS.flatMap((level) => [tally.byLevel[level].pass, tally.byLevel[level].fail]),
      tally.error,
      tally['known-failure'],
      tally.skip,
      tally.disabled,
    ]);
  return [
    tableRow(header),
    tableRow(header.map((_, i) => (i < 2 ? '---' : '---:'))),
    ...summary.components.map((c) => row(markdownInline(c.component), c.outcome, c.tally)),
    row('**all**', results.outcome, summary.overall),
  ];
}

function knownFailureReason(clause: ClauseResult): string {
  const reasons = clause.tests.filter((test) => test.expected === true).map((test) => test.reason ?? '');
  return (
    [...new Set(reasons.filter((reason) => reason !== ''))].join('; ') || 'listed in the expectations ledger'
  );
}

/** Compact sections keep a failure's message (this long at most) and drop its transcript. */
const COMPACT_MESSAGE_CHARS = 2000;

function testFailure(test: TestResult, heading: string, compact = false): string[] {
  const lines = [`${heading} ${markdownInline(test.title)}`, ''];
  const where = [test.file === '' ? undefined : code(test.file), formatDuration(test.durationMs)].filter(
    (part) => part !== undefined,
  );
  lines.push(`${test.outcome} · ${where.join(' · ')}`, '');
  const failure = test.failure;
  if (failure === undefined) {
    lines.push(markdownFence(test.reason ?? test.outcome), '');
    return lines;
  }
  if (compact) {
    const message =
      failure.message.length > COMPACT_MESSAGE_CHARS
        ? `${failure.message.slice(0, COMPACT_MESSAGE_CHARS)}… (cut; the whole message is in results.json)`
        : failure.message;
    lines.push(`**${markdownInline(failure.name)}**`, '', markdownFence(message), '');
    return lines;
  }
  lines.push(`**${markdownInline(failure.name)}**`, '', markdownFence(failure.message), '');
  if (failure.diff !== undefined && failure.diff !== '')
    lines.push('Diff:', '', markdownFence(failure.diff, 'diff'), '');
  if (failure.transcript !== undefined && failure.transcript.length > 0) {
    lines.push(
      `Transcript (${failure.transcript.length} exchange${failure.transcript.length === 1 ? '' : 's'}):`,
      '',
      markdownFence(formatTranscript(failure.transcript)),
      '',
    );
  }
  if (test.outcome === 'error' && failure.stack !== undefined && failure.stack !== '') {
    lines.push('<details><summary>Stack</summary>', '', markdownFence(failure.stack), '', '</details>', '');
  }
  return lines;
}

function failingClause(clause: ClauseResult, compact = false): string[] {
  const lines = [
    `### ${OUTCOME_MARK[clause.outcome]} [${clause.id}] ${clause.level} · ${markdownInline(clause.component)} · ${clause.outcome}`,
    '',
    `> ${markdownInline(clause.text)}`,
    '>',
    `> source: ${markdownInline(clause.source.document)} § ${markdownInline(clause.source.section)}`,
    '',
  ];
  const failing = clause.tests.filter((test) => {
    const status = verdictKindOf(test);
    return status === 'fail' || status === 'error';
  });
  if (failing.length === 0) lines.push(markdownInline(clause.reason ?? 'no failing test was recorded'), '');
  for (const test of failing) lines.push(...testFailure(test, '####', compact));
  return lines;
}

/** GitHub refuses a step summary over 1 MiB; summary.md stays under this by default. */
export const MARKDOWN_MAX_BYTES = 1_000_000;

const byteLength = (lines: readonly string[]): number =>
  lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);

/**
 * Appends `sections` while the whole stays within `budget` bytes: each whole if it fits, else
 * compact (message only), else not at all; what was left out or shortened is said at the end.
 */
function appendWithin(
  lines: string[],
  sections: readonly { readonly full: () => string[]; readonly compact: () => string[] }[],
  budget: number,
): void {
  const note = 200;
  let used = byteLength(lines);
  let shortened = 0;
  let omitted = 0;
  for (const section of sections) {
    if (omitted > 0) {
      omitted += 1;
      continue;
    }
    const full = section.full();
    const compact = byteLength(full) + used + note <= budget ? undefined : section.compact();
    const chosen = compact ?? full;
    const size = byteLength(chosen);
    if (used + size + note > budget) {
      omitted = 1;
      continue;
    }
    lines.push(...chosen);
    used += size;
    if (compact !== undefined) shortened += 1;
  }
  if (shortened + omitted > 0) {
    const parts = [
      shortened > 0 ? `${shortened} shown without transcripts` : '',
      omitted > 0 ? `${omitted} not shown` : '',
    ].filter((part) => part !== '');
    lines.push(
      `> This summary is capped at ${Math.floor(budget / 1024)} KiB (GitHub's step summary limit is 1 MiB): ${parts.join(', ')}. Every failure is whole in results.json and index.html.`,
      '',
    );
  }
}

/**
 * results.json as Markdown for a pull request or a GitHub step summary: the target and overall
 * outcome, a counts table per component, the known failures with their reasons, and each failing
 * clause with what it required, the failure message and the transcript.
 */
export function renderMarkdown(results: ResultsFile, options: { readonly maxBytes?: number } = {}): string {
  const summary = summarizeResults(results);
  const target = results.target;
  const lines = [
    `# ${OUTCOME_MARK[results.outcome]} berth conformance: ${markdownInline(target.name)} — ${results.outcome}`,
    '',
    markdownInline(target.description),
    '',
    tableRow(['', '']),
    tableRow(['---', '---']),
    tableRow(['outcome', `**${results.outcome}**`]),
    tableRow(['clauses', `${summary.overall.clauses}: ${countsLine(summary.overall)}`]),
    tableRow(['seed', `${results.seed} (replay: ${code(`berth run --seed ${results.seed}`)})`]),
    tableRow(['profile', results.selection.profile]),
  ];
  if (results.selection.areas.length > 0)
    lines.push(tableRow(['areas', markdownInline(results.selection.areas.join(', '))]));
  if (results.selection.clauses.length > 0) {
    lines.push(tableRow(['selected clauses', markdownInline(results.selection.clauses.join(', '))]));
  }
  for (const [key, value] of Object.entries(target.options)) {
    lines.push(tableRow([`option ${markdownInline(key)}`, markdownInline(value)]));
  }
  for (const [key, value] of Object.entries(target.probe)) {
    lines.push(tableRow([`probe ${markdownInline(key)}`, markdownInline(formatFact(value))]));
  }
  if (results.expectationsFile !== undefined) {
    lines.push(tableRow(['expectations', markdownInline(results.expectationsFile)]));
  }
  lines.push(
    tableRow(['duration', formatDuration(results.durationMs)]),
    tableRow(['started', markdownInline(results.startedAt)]),
    tableRow(['berth', markdownInline(results.tool.version)]),
    '',
    '## Components',
    '',
    ...componentTable(results),
    '',
  );

  const known = results.clauses.filter((clause) => verdictKindOf(clause) === 'known-failure');
  if (known.length > 0) {
    lines.push(
      '## Known failures (expectations ledger)',
      '',
      'These fail as the ledger says; they do not fail the run.',
      '',
    );
    for (const clause of known) {
      lines.push(
        `- **[${clause.id}]** ${clause.level} ${markdownInline(clause.text)} — ${markdownInline(knownFailureReason(clause))}`,
      );
    }
    lines.push('');
  }

  const failing = results.clauses.filter((clause) => {
    const status = verdictKindOf(clause);
    return status === 'fail' || status === 'error';
  });
  const budget = options.maxBytes ?? MARKDOWN_MAX_BYTES;
  const section = <T>(
    title: string,
    items: readonly T[],
    render: (item: T, compact: boolean) => string[],
  ) => {
    if (items.length === 0) return;
    lines.push(`## ${title} (${items.length})`, '');
    const sections = items.map((item) => ({
      full: () => render(item, false),
      compact: () => render(item, true),
    }));
    appendWithin(lines, sections, budget);
  };
  section('Failing clauses', failing, (clause, compact) => failingClause(clause, compact));
  section('Outside any clause', results.orphans, (orphan, compact) => testFailure(orphan, '###', compact));
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
