import { describe, expect, it } from 'vitest';
import { findElements, parseXml, textContent } from './parse-xml.test-helper.js';

// The XML checks of the renderers are only as good as this parser's strictness.
describe('parseXml', () => {
  it('parses elements, attributes, references and CDATA', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 &amp; &#10;2"><b>t&lt;&#x41;</b><![CDATA[<raw>]]><!-- c --><b/></a>\n',
    );
    expect(root.attributes).toEqual({ x: '1 & \n2' });
    expect(findElements(root, 'b')).toHaveLength(2);
    expect(textContent(root)).toBe('t<A<raw>');
  });

  it.each([
    ['a mismatched closing tag', '<a><b></a></b>'],
    ['an unclosed element', '<a><b></b>'],
    ['a raw < in an attribute', '<a x="<"/>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['a bare ampersand', '<a>fish & chips</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a control character', '<a>\u0001</a>'],
    ['a reference to a control character', '<a>&#1;</a>'],
    ['a lone surrogate', '<a>\ud800</a>'],
    ['"]]>" in text', '<a>]]></a>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>x'],
    ['a misplaced XML declaration', '<a/><?xml version="1.0"?>'],
    ['"--" in a comment', '<a><!-- a -- b --></a>'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseXml(text)).toThrow(expect.objectContaining({ code: 'ERR_TEST_XML_SYNTAX' }));
  });
});
