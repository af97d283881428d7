import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPONENTS } from '../../suite/clauses/catalogue.js';
import type { ResultsFile } from '../model/results.js';
import { badgeFileName, renderBadges } from './badges.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { assertResultsFile } from './read-results-file.js';
import { ReportWriteError } from './render-errors.js';

/** Where renderReports wrote each report. */
export interface RenderedReports {
  readonly junit: string;
  readonly markdown: string;
  readonly html: string;
  /** `badges/conformance.svg`. */
  readonly overallBadge: string;
  /** Component name → `badges/<component>.svg`, for components with a clause that was not disabled. */
  readonly componentBadges: Readonly<Record<string, string>>;
  /** Every written path, in the order above. */
  readonly paths: readonly string[];
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReportWriteError(path, reason, { cause: error });
  }
}

/**
 * Renders every report from a results file into `outDir`: junit.xml, summary.md, index.html and
 * badges/*.svg. The input is checked and every report rendered in memory first, so a bad input
 * writes nothing; each file is replaced atomically, and the badge of a component that no longer
 * ran is removed.
 */
export async function renderReports(results: ResultsFile, outDir: string): Promise<RenderedReports> {
  // 1. Check the input and render everything before touching the disk.
  assertResultsFile(results, 'results');
  const badges = renderBadges(results);
  const files: [string, string][] = [
    [join(outDir, 'junit.xml'), renderJunit(results)],
    [join(outDir, 'summary.md'), renderMarkdown(results)],
    [join(outDir, 'index.html'), renderHtml(results)],
    ...badges.map((badge): [string, string] => [join(outDir, 'badges', badge.fileName), badge.svg]),
  ];

  // 2. Write.
  try {
    await mkdir(join(outDir, 'badges'), { recursive: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReportWriteError(join(outDir, 'badges'), reason, { cause: error });
  }
  for (const [path, content] of files) await writeAtomically(path, content);
  // 3. A component badge from an earlier render whose component did not run now would be stale.
  const drawn = new Set(badges.map((badge) => badge.fileName));
  for (const component of Object.values(COMPONENTS)) {
    const fileName = badgeFileName(component);
    if (!drawn.has(fileName)) await rm(join(outDir, 'badges', fileName), { force: true });
  }

  const paths = files.map(([path]) => path);
  const [junit, markdown, html, overallBadge, ...componentPaths] = paths as [
    string,
    string,
    string,
    string,
    ...string[],
  ];
  const componentBadges = Object.fromEntries(
    badges.slice(1).map((badge, i) => [badge.label, componentPaths[i] ?? '']),
  );
  return { junit, markdown, html, overallBadge, componentBadges, paths };
}
