import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { showable } from './escape-markup.js';
import { formatTranscript } from './format-report-text.js';
import { markdownFence, markdownInline, renderMarkdown } from './markdown.js';
import { buildClause, buildResults, buildSampleResults, buildTest } from './sample-results.test-helper.js';

const results = buildSampleResults();
const markdown = renderMarkdown(results);

/** Fenced code blocks as CommonMark reads them: a fence closes only on a line of at least as many backticks. */
function codeBlocks(text: string): { info: string; content: string }[] {
  const blocks: { info: string; content: string }[] = [];
  let open: { fence: number; info: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (open === undefined) {
      const start = /^(`{3,})([^`]*)$/.exec(line);
      if (start !== null) open = { fence: start[1]?.length ?? 0, info: start[2] ?? '', lines: [] };
    } else if (/^(`+)\s*$/.test(line) && line.trim().length >= open.fence) {
      blocks.push({ info: open.info, content: open.lines.join('\n') });
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  expect(open, 'a code block was left open').toBeUndefined();
  return blocks;
}

/** The cells of the table row whose first cell is `first` (escaped pipes stay inside cells). */
function row(first: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${first} |`));
  expect(line, `no table row for ${first}`).toBeDefined();
  return (line ?? '')
    .slice(2, -2)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

describe('renderMarkdown', () => {
  it('starts with a title naming the target and the overall outcome', () => {
    expect(markdown.split('\n')[0]).toBe('# 💥 berth conformance: proxy-command — error');
  });

  it('counts MUST/SHOULD/MAY passes and failures, errors, known failures, skips per component', () => {
    const header = row('component');
    const cells = (component: string): Record<string, string> =>
      Object.fromEntries(row(component).map((cell, i) => [header[i] ?? String(i), cell] as const));
    expect(cells('registry')).toMatchObject({ 'MUST pass': '1', 'SHOULD pass': '1', 'MUST fail': '0' });
    expect(cells('proxy')).toMatchObject({ outcome: '❌ fail', 'MUST fail': '1', 'known failures': '1' });
    expect(cells('bridge')).toMatchObject({ outcome: '💥 error', errors: '1', skipped: '1' });
    expect(cells('dispatch')).toMatchObject({ disabled: '2' });
    expect(cells('**all**')).toMatchObject({
      'MUST pass': '1',
      'MUST fail': '1',
      errors: '1',
      disabled: '3',
    });
  });

  it('lists known failures with the ledger reason', () => {
    const section = markdown.slice(
      markdown.indexOf('## Known failures'),
      markdown.indexOf('## Failing clauses'),
    );
    expect(section).toContain('**[HND-2]**');
    expect(section).toContain('upstream bug B.3: answers 500 instead of 409');
  });

  it('shows each failing clause with what it required, the message and the transcript', () => {
    const failing = markdown.slice(markdown.indexOf('## Failing clauses'));
    const headings = failing.split('\n').filter((line) => line.startsWith('### '));
    expect(headings.map((line) => /\[([A-Z]+-\d+)\]/.exec(line)?.[1])).toEqual(['HND-1', 'UPG-1']);
    expect(failing).toContain(
      '> Routes a request to the &lt;em&gt;owning&lt;/em&gt; guest &amp; never "guesses".',
    );
    const blocks = codeBlocks(markdown).map((block) => block.content);
    expect(blocks).toContain('expected status 200, got 500 <b>"bold"</b> & more');
    const transcript = results.clauses[2]?.tests[1]?.failure?.transcript ?? [];
    expect(blocks).toContain(showable(formatTranscript(transcript).replace(/\r\n?/g, '\n')));
  });

  it('lists tests outside any clause', () => {
    const withOrphan = buildResults([buildClause('REG-1', 'MUST', [buildTest('REG-1', 'pass')])], {
      orphans: [
        {
          title: '(unhandled error)',
          file: '',
          outcome: 'error',
          durationMs: 0,
          failure: { name: 'Error', message: 'boom' },
        },
      ],
    });
    const text = renderMarkdown(withOrphan);
    expect(text).toContain('## Outside any clause (1)');
    expect(codeBlocks(text).map((block) => block.content)).toContain('boom');
  });
});

describe('renderMarkdown size cap', () => {
  /** A failing clause with a 3000-character message and ten 4000-character answers. */
  const heavy = (n: number) =>
    buildClause(`HND-${n}`, 'MUST', [
      buildTest(`HND-${n}`, 'fail', {
        failure: {
          name: 'ConformanceViolation',
          message: `clause ${n} failed ${'m'.repeat(3000)}`,
          transcript: Array.from({ length: 10 }, () => ({
            peer: 'proxy',
            sent: 'GET /_ping HTTP/1.1',
            received: 'x'.repeat(4000),
          })),
        },
      }),
    ]);

  it('stays under the cap: whole sections first, then message-only ones, then a count of the rest', () => {
    const many = buildResults(Array.from({ length: 30 }, (_, i) => heavy(i + 1)));
    const text = renderMarkdown(many, { maxBytes: 200_000 });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(200_000);
    const shown = text.split('\n').filter((line) => line.startsWith('### '));
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.length).toBeLessThan(30);
    expect(text).toContain('## Failing clauses (30)');
    expect(text).toMatch(/capped at 195 KiB .*: \d+ shown without transcripts, \d+ not shown\./);
    // The first failures are whole (transcript included), later ones are cut to their message.
    expect(text).toContain('Transcript (10 exchanges)');
    expect(text).toContain('(cut; the whole message is in results.json)');
  });

  it('leaves a summary under the default cap untouched', () => {
    const few = buildResults([heavy(1), heavy(2)]);
    expect(renderMarkdown(few)).toBe(renderMarkdown(few, { maxBytes: Number.POSITIVE_INFINITY }));
    expect(renderMarkdown(few)).not.toContain('capped at');
  });
});

describe('markdownFence', () => {
  it('uses a fence longer than any backtick run in the text', () => {
    expect(markdownFence('plain')).toBe('```text\nplain\n```');
    expect(markdownFence('a\n```\nb\n````', 'diff').split('\n')[0]).toBe('`````diff');
    expect(codeBlocks(markdownFence('```\n````\n```````'))).toEqual([
      { info: 'text', content: '```\n````\n```````' },
    ]);
    expect(codeBlocks(markdownFence('a\r```\rb\r\n'))).toEqual([{ info: 'text', content: 'a\n```\nb' }]);
  });
});

describe('markdownInline', () => {
  it('keeps markup, table pipes and line breaks from escaping a cell', () => {
    expect(markdownInline('a|b <i>*x*</i>\n[link](y) & `c`')).toBe(
      'a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; \\[link\\](y) &amp; \\`c\\`',
    );
  });
});
