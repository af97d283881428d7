import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeAttribute, escapeMarkup, showable } from './escape-markup.js';
import { parseXml, textContent } from './parse-xml.test-helper.js';

/** Any UTF-16 text, lone surrogates and control characters included. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\u0000', '\u001b', '\r', '\t', '\ud800', '\udfff', '\uffff'),
    fc.string({ unit: 'binary', maxLength: 1 }),
  ),
  maxLength: 40,
});

describe('escapeMarkup', () => {
  it('turns markup characters into references', () => {
    expect(escapeMarkup(`<script>alert("x" & 'y')</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
    );
  });

  it('replaces characters XML 1.0 forbids with visible escapes and keeps tab, newline and pairs', () => {
    expect(escapeMarkup('a\u0000b\u001b[0m\u000bc')).toBe('a\\x00b\\x1b[0m\\x0bc');
    expect(escapeMarkup('x\ud800y\udfffz\uffff')).toBe('x\\ud800y\\udfffz\\uffff');
    expect(escapeMarkup('tab\tline\nemoji 🚢')).toBe('tab\tline\nemoji 🚢');
    expect(escapeMarkup('cr\r')).toBe('cr&#13;');
  });
});

describe('escapeAttribute', () => {
  it('keeps tabs and line breaks through attribute normalisation', () => {
    expect(escapeAttribute('a\tb\nc\rd"')).toBe('a&#9;b&#10;c&#13;d&quot;');
  });
});

describe('escaped text in XML', () => {
  it('is always well-formed and reads back as the showable text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const root = parseXml(`<a v="${escapeAttribute(text)}">${escapeMarkup(text)}</a>`);
        expect(root.attributes.v).toBe(showable(text));
        expect(textContent(root)).toBe(showable(text));
      }),
    );
  });
});
