import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HTML_CONTENT_SECURITY_POLICY, HTML_FILTERS, renderHtml } from './html.js';
import { buildClause, buildResults, buildSampleResults, buildTest } from './sample-results.test-helper.js';

const results = buildSampleResults();
const html = renderHtml(results);

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

describe('renderHtml', () => {
  it('escapes clause texts and transcripts: the only script element is the report’s own', () => {
    expect(count(html, /<script/gi)).toBe(1);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(
      'Routes a request to the &lt;em&gt;owning&lt;/em&gt; guest &amp; never &quot;guesses&quot;.',
    );
    expect(html).not.toContain('<em>owning');
  });

  it('cannot be broken out of an attribute', () => {
    const hostile = buildResults([
      buildClause('REG-1', 'MUST', [buildTest('REG-1', 'pass', { title: `x" onmouseover="alert(1)` })]),
    ]);
    const page = renderHtml({
      ...hostile,
      target: { ...hostile.target, name: `"><img src=x onerror=alert(1)>` },
    });
    expect(page).not.toMatch(/<img/);
    expect(page).not.toMatch(/ onmouseover="/);
    expect(page).toContain('x&quot; onmouseover=&quot;alert(1)');
  });

  it('fetches nothing: no external script, style, font or image', () => {
    expect(html).not.toMatch(/<link\b|\bsrc=|@import|url\(|https?:\/\//i);
  });

  it('allows exactly its inline script through the Content-Security-Policy', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    expect(HTML_CONTENT_SECURITY_POLICY).toContain(`script-src 'sha256-${hash}'`);
    expect(HTML_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(html).toContain(`content="${HTML_CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}"`);
  });

  it('has one row per clause carrying its outcome, and counts that match the file', () => {
    const rows = [
      ...html.matchAll(/<tr data-testid="clause-row" data-clause="([^"]+)" data-outcome="([^"]+)"/g),
    ];
    expect(rows.map((row) => row[1])).toEqual(results.clauses.map((clause) => clause.id));
    expect(rows.map((row) => row[2])).toEqual(results.clauses.map((clause) => clause.outcome));
    for (const [outcome, n] of Object.entries(results.counts)) {
      expect(html).toContain(`data-testid="count-${outcome}" data-count="${n}"`);
    }
    expect(html).toMatch(/data-testid="showing-count">9<\/span> of 9 clauses/);
  });

  it('offers a filter button per outcome', () => {
    expect(
      [...html.matchAll(/<button type="button" data-filter="([a-z]+)"/g)].map((match) => match[1]),
    ).toEqual([...HTML_FILTERS]);
  });

  it('puts each failure and known failure in a details element, with its transcript', () => {
    expect(count(html, /<details data-testid="failure">/g)).toBe(3);
    expect(count(html, /data-testid="transcript"/g)).toBe(2);
    expect(html).toContain('data-status="known-failure"');
  });

  it('shows target, probe facts, seed, profile and duration in the header', () => {
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    expect(header).toContain('<dd data-testid="target-name">proxy-command</dd>');
    expect(header).toContain('Acme &lt;Engine&gt;');
    expect(header).toContain('<dd data-testid="seed">424242</dd>');
    expect(header).toContain('<dd data-testid="profile">core</dd>');
    expect(header).toContain('<dd data-testid="duration">4.3 s</dd>');
    expect(header).toContain('data-testid="overall-outcome" data-outcome="error"');
  });
});
