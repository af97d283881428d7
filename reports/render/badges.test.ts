import { describe, expect, it } from 'vitest';
import type { Level } from '../../suite/clauses/catalogue.js';
import type { ClauseResult } from '../model/results.js';
import { BADGE_COLOURS, badgeFileName, renderBadges, type Badge } from './badges.js';
import { buildClause, buildResults, buildSampleResults, buildTest } from './sample-results.test-helper.js';
import { findElements, parseXml, textContent } from './parse-xml.test-helper.js';

function overall(clauses: readonly ClauseResult[], orphans = false): Badge {
  const results = buildResults(clauses, {
    orphans: orphans ? [{ title: '(unhandled error)', file: '', outcome: 'error', durationMs: 0 }] : [],
  });
  const badge = renderBadges(results)[0];
  if (badge === undefined) throw new Error('no overall badge');
  return badge;
}

const pass = (n: number, level: Level = 'MUST'): ClauseResult =>
  buildClause(`REG-${n}`, level, [buildTest(`REG-${n}`, 'pass')]);
const fail = (n: number, level: Level): ClauseResult =>
  buildClause(`HND-${n}`, level, [buildTest(`HND-${n}`, 'fail')]);
const known = (n: number): ClauseResult =>
  buildClause(`HND-${n}`, 'MUST', [buildTest(`HND-${n}`, 'fail', { expected: true, reason: 'ledger' })]);

describe('badge colours and messages', () => {
  it('is green with passed/total when every clause that ran passed', () => {
    const skipped = buildClause('UPG-1', 'MUST', [buildTest('UPG-1', 'skip')]);
    const disabled = buildClause('CMP-1', 'MUST', []);
    expect(overall([pass(1), pass(2, 'SHOULD'), skipped, disabled])).toMatchObject({
      colour: 'green',
      message: '2/2',
    });
  });

  it('is amber when the only failures are SHOULD or MAY clauses', () => {
    expect(overall([pass(1), fail(1, 'SHOULD')])).toMatchObject({ colour: 'amber', message: '1/2' });
    expect(overall([pass(1), fail(1, 'MAY')])).toMatchObject({ colour: 'amber', message: '1/2' });
  });

  it('is amber, not red, for a known failure of a MUST clause, which counts as not passed', () => {
    expect(overall([pass(1), known(2)])).toMatchObject({ colour: 'amber', message: '1/2' });
  });

  it('is red when a MUST clause fails or anything errors', () => {
    expect(overall([pass(1), fail(1, 'MUST')])).toMatchObject({ colour: 'red', message: '1/2' });
    const error = buildClause('UPG-1', 'MAY', [buildTest('UPG-1', 'error')]);
    expect(overall([pass(1), error])).toMatchObject({ colour: 'red', message: '1/2' });
    expect(overall([pass(1)], true)).toMatchObject({ colour: 'red', message: '1/1 +1 error' });
  });

  it('is red when nothing ran at all, grey for a component whose clauses were all skipped', () => {
    expect(overall([buildClause('REG-1', 'MUST', [])])).toMatchObject({ colour: 'red', message: 'none ran' });
    const badges = renderBadges(
      buildResults([pass(1), buildClause('UPG-1', 'MUST', [buildTest('UPG-1', 'skip')])]),
    );
    expect(badges.find((badge) => badge.label === 'bridge')).toMatchObject({
      colour: 'grey',
      message: 'skipped',
    });
  });

  it('draws the colour and the text into a well-formed SVG', () => {
    const badge = overall([pass(1), fail(1, 'SHOULD')]);
    const svg = parseXml(badge.svg);
    expect(svg.name).toBe('svg');
    expect(badge.svg).toContain(`fill="${BADGE_COLOURS.amber}"`);
    expect(findElements(svg, 'text').map(textContent)).toEqual(
      expect.arrayContaining(['conformance', '1/2']),
    );
  });
});

describe('renderBadges', () => {
  it('draws the overall badge and one per component with a clause that was not disabled', () => {
    const badges = renderBadges(buildSampleResults());
    expect(badges.map((badge) => [badge.label, badge.fileName, badge.colour])).toEqual([
      ['conformance', 'conformance.svg', 'red'],
      ['registry', 'registry.svg', 'green'],
      ['proxy', 'proxy.svg', 'red'],
      ['bridge', 'bridge.svg', 'red'],
    ]);
  });

  it('names badge files after the component', () => {
    expect(badgeFileName('hostile input')).toBe('hostile-input.svg');
    expect(badgeFileName('Proxy')).toBe('proxy.svg');
  });
});
