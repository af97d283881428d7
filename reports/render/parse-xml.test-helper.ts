/**
 * A small strict XML 1.0 parser for tests: elements, attributes, text, comments, CDATA and
 * processing instructions; no DTD. Throws XmlSyntaxError on anything that is not well-formed
 * (bad characters or references, unquoted or duplicate attributes, `<` in attribute values,
 * mismatched tags, `]]>` in text, content after the root), so a renderer's output can be checked.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly (XmlElement | string)[];
}

export class XmlSyntaxError extends Error {
  readonly code = 'ERR_TEST_XML_SYNTAX';
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
  }
}

const XML_CHARS = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const REFERENCE = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/y;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

export function parseXml(text: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    throw new XmlSyntaxError(message, pos);
  };
  if (!XML_CHARS.test(text)) {
    // Find the offending character for the message.
    for (const char of text) {
      if (!isXmlChar(char.codePointAt(0) ?? 0)) {
        pos = text.indexOf(char);
        fail(
          `character U+${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')} is not allowed in XML 1.0`,
        );
      }
    }
    fail('a lone surrogate is not allowed in XML 1.0');
  }

  const skipSpace = (): boolean => {
    const start = pos;
    while (pos < text.length && ' \t\r\n'.includes(text.charAt(pos))) pos += 1;
    return pos > start;
  };
  const expect = (literal: string): void => {
    if (!text.startsWith(literal, pos)) fail(`expected ${JSON.stringify(literal)}`);
    pos += literal.length;
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(text);
    if (match === null) return fail('expected a name');
    pos += match[0].length;
    return match[0];
  };
  const until = (terminator: string, what: string): string => {
    const end = text.indexOf(terminator, pos);
    if (end < 0) fail(`unterminated ${what}`);
    const body = text.slice(pos, end);
    pos = end + terminator.length;
    return body;
  };
  const decode = (raw: string, offset: number): string => {
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const amp = raw.indexOf('&', i);
      if (amp < 0) {
        out += raw.slice(i);
        break;
      }
      out += raw.slice(i, amp);
      REFERENCE.lastIndex = amp;
      const match = REFERENCE.exec(raw);
      if (match === null) {
        pos = offset + amp;
        fail('"&" that does not start a reference');
      } else {
        if (match[3] !== undefined) out += NAMED[match[3]] ?? '';
        else {
          const code = parseInt(match[1] ?? match[2] ?? '', match[1] === undefined ? 10 : 16);
          if (!isXmlChar(code)) {
            pos = offset + amp;
            fail(`character reference ${match[0]} names a character XML 1.0 does not allow`);
          }
          out += String.fromCodePoint(code);
        }
        i = amp + match[0].length;
      }
    }
    return out;
  };
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<!--', pos)) comment();
      else if (text.startsWith('<?', pos)) instruction();
      else return;
    }
  };
  const comment = (): void => {
    pos += 4;
    const body = until('-->', 'comment');
    if (body.includes('--') || body.endsWith('-')) fail('"--" inside a comment');
  };
  const instruction = (): void => {
    pos += 2;
    if (name().toLowerCase() === 'xml') fail('an XML declaration is only allowed at the start');
    until('?>', 'processing instruction');
  };

  const element = (): XmlElement => {
    expect('<');
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const spaced = skipSpace();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return { name: tag, attributes, children: [] };
      }
      if (text.startsWith('>', pos)) {
        pos += 1;
        break;
      }
      if (!spaced) fail('expected white space before an attribute');
      const attribute = name();
      skipSpace();
      expect('=');
      skipSpace();
      const quote = text.charAt(pos);
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
      pos += 1;
      const start = pos;
      const raw = until(quote, 'attribute value');
      if (raw.includes('<')) fail('"<" in an attribute value');
      if (Object.hasOwn(attributes, attribute)) fail(`duplicate attribute ${attribute}`);
      // Attribute-value normalisation: literal white space becomes a space, references stay.
      attributes[attribute] = decode(raw.replace(/[\t\n\r]/g, ' '), start);
    }
    const children: (XmlElement | string)[] = [];
    for (;;) {
      if (pos >= text.length) fail(`unclosed element <${tag}>`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        skipSpace();
        expect('>');
        return { name: tag, attributes, children };
      }
      if (text.startsWith('<!--', pos)) comment();
      else if (text.startsWith('<![CDATA[', pos)) {
        pos += 9;
        children.push(until(']]>', 'CDATA section'));
      } else if (text.startsWith('<?', pos)) instruction();
      else if (text.startsWith('<', pos)) children.push(element());
      else {
        const start = pos;
        const end = text.indexOf('<', pos);
        const raw = text.slice(pos, end < 0 ? text.length : end);
        if (raw.includes(']]>')) fail('"]]>" in text');
        pos = end < 0 ? text.length : end;
        children.push(decode(raw.replace(/\r\n?/g, '\n'), start));
      }
    }
  };

  if (text.startsWith('<?xml', pos)) {
    pos += 5;
    const declaration = until('?>', 'XML declaration');
    if (
      !/^\s+version\s*=\s*["']1\.0["'](\s+encoding\s*=\s*["'][A-Za-z][\w.-]*["'])?(\s+standalone\s*=\s*["'](yes|no)["'])?\s*$/.test(
        declaration,
      )
    ) {
      fail('malformed XML declaration');
    }
  }
  misc();
  if (text.startsWith('<!DOCTYPE', pos)) fail('a DOCTYPE is not supported here');
  const root = element();
  misc();
  if (pos < text.length) fail('content after the root element');
  return root;
}

/** Every element named `name` below `root` (document order, `root` included). */
export function findElements(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = root.name === name ? [root] : [];
  for (const child of root.children) if (typeof child !== 'string') found.push(...findElements(child, name));
  return found;
}

/** The concatenated text inside an element. */
export function textContent(element: XmlElement): string {
  return element.children.map((child) => (typeof child === 'string' ? child : textContent(child))).join('');
}
