import { createHash } from 'node:crypto';
import type { Outcome } from '../model/outcome.js';
import type { ClauseResult, ResultsFile, TestFailure, TestResult } from '../model/results.js';
import { escapeAttribute, escapeMarkup } from './escape-markup.js';
import { formatDuration, formatFact, formatTranscript } from './format-report-text.js';
import { summarizeResults, type ComponentSummary } from './summarize-results.js';
import { countClauseOutcomes, type ClauseTally } from '../model/roll-up.js';
import { verdictKindOf } from '../model/verdict.js';

/** The outcome filters of the page, in button order. */
export const HTML_FILTERS = ['all', 'pass', 'fail', 'error', 'skip', 'disabled'] as const;

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --line: #d1d9e0; --head: #f6f8fa;
  --pass: #1a7f37; --fail: #cf222e; --error: #8250df; --skip: #9a6700; --disabled: #6e7781; --known: #bc4c00; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d;
  --head: #151b23; --pass: #3fb950; --fail: #f85149; --error: #ab7df8; --skip: #d29922; --disabled: #9198a1; --known: #db6d28; } }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1.5rem; max-width: 90rem; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
.muted, .source { color: var(--muted); } .source { font-size: .85em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 1rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.counts { list-style: none; display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; margin: .5rem 0; }
ul.counts li { border: 1px solid var(--line); border-radius: 2rem; padding: .1rem .75rem; }
nav.filters { position: sticky; top: 0; background: var(--bg); padding: .5rem 0; border-bottom: 1px solid var(--line);
  display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; z-index: 1; }
nav.filters button { font: inherit; color: inherit; background: var(--head); border: 1px solid var(--line);
  border-radius: .4rem; padding: .2rem .7rem; cursor: pointer; }
nav.filters button[aria-pressed="true"] { border-color: var(--fg); font-weight: 600; }
nav.filters .showing { margin-left: auto; color: var(--muted); }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: var(--head); font-weight: 600; }
col.id { width: 5.5rem; } col.level { width: 5rem; } col.outcome { width: 7.5rem; } col.duration { width: 5.5rem; }
col.text { width: 30%; }
[hidden] { display: none !important; }
@media (max-width: 60rem) {
  table, tbody, tr, td { display: block; width: auto; } thead, colgroup { display: none; }
  tr { border-bottom: 1px solid var(--line); padding: .5rem 0; } td { border: 0; padding: .1rem 0; }
  td.num { text-align: left; }
}
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.outcome { font-weight: 600; }
.outcome-pass { color: var(--pass); } .outcome-fail { color: var(--fail); } .outcome-error { color: var(--error); }
.outcome-skip { color: var(--skip); } .outcome-disabled { color: var(--disabled); } .known { color: var(--known); }
ul.tests { list-style: none; margin: 0; padding: 0; } ul.tests > li + li { margin-top: .35rem; }
details { margin-top: .25rem; } summary { cursor: pointer; color: var(--muted); }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--head); border: 1px solid var(--line);
  border-radius: .3rem; padding: .5rem; margin: .35rem 0; max-height: 40rem; overflow: auto; font-size: 12px; }
.label { font-size: .8em; color: var(--muted); margin-top: .4rem; }
`;

// Plain DOM code, no data in it: the page's Content-Security-Policy allows exactly this script (by hash).
const SCRIPT = `
(() => {
  const rows = Array.from(document.querySelectorAll('[data-testid="clause-row"]'));
  const sections = Array.from(document.querySelectorAll('[data-testid="component"]'));
  const buttons = Array.from(document.querySelectorAll('button[data-filter]'));
  const count = document.querySelector('[data-testid="showing-count"]');
  const apply = (filter) => {
    let shown = 0;
    for (const row of rows) {
      const visible = filter === 'all' || row.dataset.outcome === filter;
      row.hidden = !visible;
      if (visible) shown += 1;
    }
    for (const section of sections) {
      section.hidden = section.querySelector('[data-testid="clause-row"]:not([hidden])') === null;
    }
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.filter === filter));
    count.textContent = String(shown);
    document.body.dataset.filter = filter;
  };
  for (const button of buttons) button.addEventListener('click', () => apply(button.dataset.filter));
  const initial = decodeURIComponent(location.hash.slice(1));
  if (buttons.some((button) => button.dataset.filter === initial)) apply(initial);
})();
`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** The page's policy: nothing is fetched, only the report's own script runs. */
export const HTML_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function attrs(values: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`)
    .join('');
}

function outcomeBadge(outcome: Outcome, known = false): string {
  const text = known ? `${outcome} (known)` : outcome;
  return `<span class="outcome outcome-${outcome}${known ? ' known' : ''}">${escapeMarkup(text)}</span>`;
}

/** Preformatted text; CRLF shown as one line break (HTTP heads), a lone CR stays visible as `&#13;`. */
function pre(testid: string, label: string, text: string): string {
  return `<div class="label">${escapeMarkup(label)}</div><pre${attrs({ 'data-testid': testid })}>${escapeMarkup(
    text.replace(/\r\n/g, '\n'),
  )}</pre>`;
}

function failureDetails(failure: TestFailure, known: boolean): string {
  const firstLine = failure.message.split('\n', 1)[0] ?? '';
  const summary = known ? `known failure: ${firstLine}` : `${failure.name}: ${firstLine}`;
  const parts = [pre('failure-message', failure.name, failure.message)];
  if (failure.diff !== undefined && failure.diff !== '') parts.push(pre('diff', 'diff', failure.diff));
  if (failure.transcript !== undefined && failure.transcript.length > 0) {
    const label = `transcript (${failure.transcript.length} exchange${failure.transcript.length === 1 ? '' : 's'}, redacted)`;
    parts.push(pre('transcript', label, formatTranscript(failure.transcript)));
  }
  if (!known && failure.stack !== undefined && failure.stack !== '')
    parts.push(pre('stack', 'stack', failure.stack));
  return `<details${attrs({ 'data-testid': 'failure' })}><summary>${escapeMarkup(summary)}</summary>${parts.join('')}</details>`;
}

function testItem(test: TestResult): string {
  const known = verdictKindOf(test) === 'known-failure';
  const head = `${outcomeBadge(test.outcome, known)} ${escapeMarkup(test.title)} <span class="muted">(${escapeMarkup(
    formatDuration(test.durationMs),
  )}${test.file === '' ? '' : `, ${escapeMarkup(test.file)}`})</span>`;
  const reason =
    test.reason !== undefined && (test.outcome !== 'fail' || known)
      ? `<div class="muted"${attrs({ 'data-testid': 'reason' })}>${escapeMarkup(known ? `ledger: ${test.reason}` : test.reason)}</div>`
      : '';
  const details = test.failure === undefined ? '' : failureDetails(test.failure, known);
  return `<li${attrs({ 'data-testid': 'test', 'data-outcome': test.outcome })}>${head}${reason}${details}</li>`;
}

function clauseRow(clause: ClauseResult): string {
  const status = verdictKindOf(clause);
  const duration = clause.tests.reduce((sum, test) => sum + test.durationMs, 0);
  const reason =
    clause.tests.length === 0 && clause.reason !== undefined
      ? `<div class="muted"${attrs({ 'data-testid': 'reason' })}>${escapeMarkup(clause.reason)}</div>`
      : '';
  const tests =
    clause.tests.length === 0
      ? '<span class="muted">no test ran</span>'
      : `<ul class="tests">${clause.tests.map(testItem).join('')}</ul>`;
  return [
    `<tr${attrs({
      'data-testid': 'clause-row',
      'data-clause': clause.id,
      'data-outcome': clause.outcome,
      'data-status': status,
      'data-level': clause.level,
    })}>`,
    `<td>${escapeMarkup(clause.id)}</td>`,
    `<td>${escapeMarkup(clause.level)}</td>`,
    `<td${attrs({ 'data-testid': 'clause-text' })}>${escapeMarkup(clause.text)}<div class="source">${escapeMarkup(
      `${clause.source.document} § ${clause.source.section}`,
    )}</div>${reason}</td>`,
    `<td>${outcomeBadge(clause.outcome, status === 'known-failure')}</td>`,
    `<td class="num">${clause.tests.length === 0 ? '' : escapeMarkup(formatDuration(duration))}</td>`,
    `<td>${tests}</td>`,
    '</tr>',
  ].join('');
}

function tallyText(tally: ClauseTally): string {
  return `${tally.clauses} clauses: ${tally.pass} pass, ${tally.fail} fail, ${tally['known-failure']} known failure, ${tally.error} error, ${tally.skip} skip, ${tally.disabled} disabled`;
}

const TABLE_HEAD =
  '<colgroup><col class="id"><col class="level"><col class="text"><col class="outcome"><col class="duration"><col class="tests"></colgroup>' +
  '<thead><tr><th>clause</th><th>level</th><th>text</th><th>outcome</th><th>duration</th><th>tests</th></tr></thead>';

function componentSection(component: ComponentSummary): string {
  return [
    `<section${attrs({ 'data-testid': 'component', 'data-component': component.component })}>`,
    `<h2>${escapeMarkup(component.component)} ${outcomeBadge(component.outcome)}</h2>`,
    `<p class="muted">${escapeMarkup(tallyText(component.tally))}</p>`,
    `<table>${TABLE_HEAD}<tbody>${component.clauses.map(clauseRow).join('\n')}</tbody></table>`,
    '</section>',
  ].join('\n');
}

function fact(name: string, value: string, testid?: string): string {
  return `<dt>${escapeMarkup(name)}</dt><dd${attrs({ 'data-testid': testid })}>${escapeMarkup(value)}</dd>`;
}

/**
 * results.json as one static HTML page (inline CSS and JS, nothing fetched, works from disk): the
 * target and run facts, counts, a table per component with outcome filters, and each failure's
 * message and redacted transcript in a `<details>`. Every text from the file is escaped.
 */
export function renderHtml(results: ResultsFile): string {
  const summary = summarizeResults(results);
  const overall = summary.overall;
  const target = results.target;
  const title = `berth conformance: ${target.name} — ${results.outcome}`;
  const facts = [
    fact('target', target.name, 'target-name'),
    fact('description', target.description),
    ...Object.entries(target.options).map(([key, value]) => fact(`option ${key}`, value)),
    ...Object.entries(target.probe).map(([key, value]) => fact(`probe ${key}`, formatFact(value))),
    fact('seed', String(results.seed), 'seed'),
    fact('profile', results.selection.profile, 'profile'),
    ...(results.selection.areas.length > 0 ? [fact('areas', results.selection.areas.join(', '))] : []),
    ...(results.selection.clauses.length > 0 ? [fact('clauses', results.selection.clauses.join(', '))] : []),
    ...(results.expectationsFile === undefined ? [] : [fact('expectations', results.expectationsFile)]),
    fact('started', results.startedAt),
    fact('duration', formatDuration(results.durationMs), 'duration'),
    fact('berth', results.tool.version),
  ];
  const outcomeCounts = countClauseOutcomes(results.clauses);
  const byOutcome = (outcome: Outcome): number => outcomeCounts[outcome];
  const counts = (['pass', 'fail', 'error', 'skip', 'disabled'] as const).map((outcome) => {
    const known =
      outcome === 'fail' && overall['known-failure'] > 0 ? ` (${overall['known-failure']} known)` : '';
    return `<li${attrs({ 'data-testid': `count-${outcome}`, 'data-count': byOutcome(outcome) })}>${outcomeBadge(outcome)} ${byOutcome(outcome)}${escapeMarkup(known)}</li>`;
  });
  const buttons = HTML_FILTERS.map((filter) => {
    const n = filter === 'all' ? results.clauses.length : byOutcome(filter);
    return `<button${attrs({ type: 'button', 'data-filter': filter, 'aria-pressed': String(filter === 'all') })}>${escapeMarkup(`${filter} (${n})`)}</button>`;
  });
  const orphans =
    results.orphans.length === 0
      ? ''
      : [
          `<section${attrs({ 'data-testid': 'orphans' })}>`,
          `<h2>Outside any clause (${results.orphans.length})</h2>`,
          '<p class="muted">Tests that name no catalogue clause and errors outside any test; each fails the run.</p>',
          `<ul class="tests">${results.orphans.map(testItem).join('')}</ul>`,
          '</section>',
        ].join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"${attrs({ content: HTML_CONTENT_SECURITY_POLICY })}>
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeMarkup(title)}</title>
<style>${STYLE}</style>
</head>
<body data-filter="all">
<header data-testid="header">
<h1>berth conformance: ${escapeMarkup(target.name)} ${`<span${attrs({ 'data-testid': 'overall-outcome', 'data-outcome': results.outcome })}>${outcomeBadge(results.outcome)}</span>`}</h1>
<p class="muted">${escapeMarkup(target.description)}</p>
<dl class="facts">${facts.join('')}</dl>
<ul class="counts"${attrs({ 'data-testid': 'counts' })}>${counts.join('')}</ul>
<p class="muted"${attrs({ 'data-testid': 'summary' })}>${escapeMarkup(tallyText(overall))}${
    summary.orphanErrors > 0 ? escapeMarkup(`; ${summary.orphanErrors} errors outside any clause`) : ''
  }</p>
</header>
<nav class="filters"${attrs({ 'data-testid': 'filters' })}>${buttons.join('')}<span class="showing"${attrs({ 'data-testid': 'showing' })}>showing <span${attrs({ 'data-testid': 'showing-count' })}>${results.clauses.length}</span> of ${results.clauses.length} clauses</span></nav>
<main>
${summary.components.map(componentSection).join('\n')}
${orphans}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
