import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { renderReports } from './render-reports.js';
import {
  createHeadlessChromium,
  DEFAULT_CHROMIUM,
  findChromium,
  liveProcessesInGroup,
  type ChromiumPage,
  type HeadlessChromium,
} from './headless-chromium.test-helper.js';
import { buildSampleResults } from './sample-results.test-helper.js';

const executable = findChromium();
const required = process.env.BERTH_REQUIRE_CHROMIUM === '1';
const results = buildSampleResults();

let browser: HeadlessChromium | undefined;
let outDir: string | undefined;
let pageUrl = '';

function requireBrowser(context: TestContext): HeadlessChromium {
  if (browser !== undefined) return browser;
  if (required) throw new Error('BERTH_REQUIRE_CHROMIUM=1 but Chromium did not start (see beforeAll)');
  context.skip(
    `Chromium is not installed (${process.env.BERTH_CHROMIUM || DEFAULT_CHROMIUM}); scripts/install-chromium.sh installs it`,
  );
  throw new Error('unreachable');
}

async function openReport(
  context: TestContext,
  options: { bypassCsp?: boolean } = {},
): Promise<ChromiumPage> {
  const page = await requireBrowser(context).newPage(options);
  context.onTestFinished(() => page.close());
  await page.goto(pageUrl);
  return page;
}

/** Clause rows the user can see (not hidden by a filter or a hidden section). */
const VISIBLE_ROWS = `Array.from(document.querySelectorAll('[data-testid="clause-row"]'))
  .filter((row) => row.getClientRects().length > 0)
  .map((row) => ({ clause: row.dataset.clause, outcome: row.dataset.outcome }))`;

describe('index.html in headless Chromium', () => {
  beforeAll(async () => {
    if (executable === undefined) {
      if (required)
        throw new Error(
          'BERTH_REQUIRE_CHROMIUM=1 but no Chromium is installed (run scripts/install-chromium.sh)',
        );
      return;
    }
    outDir = await mkdtemp(join(tmpdir(), 'berth-html-'));
    const written = await renderReports(results, outDir);
    pageUrl = pathToFileURL(written.html).href;
    browser = await createHeadlessChromium(executable);
  }, 30_000);

  afterAll(async () => {
    const pid = browser?.pid;
    await browser?.close();
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
    // Nothing of the browser may outlive the file: its process group must be gone.
    if (pid !== undefined) expect(liveProcessesInGroup(pid)).toBe(0);
  }, 20_000);

  it('loads from disk with no script errors and shows the counts of the results file', async (context) => {
    const page = await openReport(context);
    const shown = await page.evaluate<{
      title: string;
      counts: Record<string, number>;
      showing: string;
      rows: number;
    }>(`({
      title: document.title,
      counts: Object.fromEntries(Array.from(document.querySelectorAll('[data-testid^="count-"]'))
        .map((li) => [li.dataset.testid.slice('count-'.length), Number(li.textContent.match(/\\d+/)[0])])),
      showing: document.querySelector('[data-testid="showing-count"]').textContent,
      rows: ${VISIBLE_ROWS}.length,
    })`);
    expect(shown.title).toContain(results.target.name);
    expect(shown.counts).toEqual(results.counts);
    expect(shown.showing).toBe(String(results.clauses.length));
    expect(shown.rows).toBe(results.clauses.length);
    expect(page.errors).toEqual([]);
  });

  it('a click on the fail filter leaves only the failing rows and updates the count', async (context) => {
    const page = await openReport(context);
    await page.click('button[data-filter="fail"]');
    const failing = results.clauses.filter((clause) => clause.outcome === 'fail').map((clause) => clause.id);
    const after = await page.evaluate<{
      rows: { clause: string; outcome: string }[];
      showing: string;
      pressed: string;
    }>(`({
      rows: ${VISIBLE_ROWS},
      showing: document.querySelector('[data-testid="showing-count"]').textContent,
      pressed: document.querySelector('button[data-filter="fail"]').getAttribute('aria-pressed'),
    })`);
    expect(after.rows.map((row) => row.clause)).toEqual(failing);
    expect(after.rows.every((row) => row.outcome === 'fail')).toBe(true);
    expect(after.showing).toBe(String(failing.length));
    expect(after.pressed).toBe('true');

    await page.click('button[data-filter="all"]');
    expect(await page.evaluate<number>(`${VISIBLE_ROWS}.length`)).toBe(results.clauses.length);
    expect(page.errors).toEqual([]);
  });

  it('shows a transcript containing <script> as text and runs none of it, even with CSP bypassed', async (context) => {
    // The page's CSP would block an injected script anyway; bypassing it checks the escaping alone.
    const page = await openReport(context, { bypassCsp: true });
    const seen = await page.evaluate<{ scripts: number; transcripts: string[] }>(`({
      scripts: document.scripts.length,
      transcripts: Array.from(document.querySelectorAll('[data-testid="transcript"]')).map((pre) => pre.textContent),
    })`);
    expect(seen.scripts).toBe(1);
    expect(seen.transcripts.some((text) => text.includes('<script>alert(1)</script>'))).toBe(true);
    await page.click('[data-clause="HND-1"] [data-testid="failure"] summary');
    expect(
      await page.evaluate<boolean>(
        `document.querySelector('[data-clause="HND-1"] [data-testid="failure"]').open`,
      ),
    ).toBe(true);
    expect(page.dialogs).toEqual([]);
  });
});
