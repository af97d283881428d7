/**
 * Characters XML 1.0 does not allow (C0 controls but tab, newline and carriage return, lone
 * surrogates, U+FFFE and U+FFFF), plus DEL and the C1 controls, which XML allows but HTML reports
 * as parse errors and nobody can read.
 */
const NOT_SHOWABLE =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced here
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visibleEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Replaces every character XML 1.0 forbids (and other controls) with a visible `\xNN` / `\uNNNN`. */
export function showable(text: string): string {
  return text.replace(NOT_SHOWABLE, visibleEscape);
}

const TEXT_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\r': '&#13;',
};

const ATTRIBUTE_ENTITIES: Readonly<Record<string, string>> = {
  ...TEXT_ENTITIES,
  '\t': '&#9;',
  '\n': '&#10;',
};

/**
 * Escapes text for XML or HTML element content: markup characters become references and
 * characters XML 1.0 forbids become visible escapes, so the result is always well-formed.
 */
export function escapeMarkup(text: string): string {
  return showable(text).replace(/[&<>"'\r]/g, (char) => TEXT_ENTITIES[char] ?? char);
}

/**
 * Escapes text for a double-quoted XML or HTML attribute value; tabs and line breaks become
 * character references so that XML attribute normalisation keeps them.
 */
export function escapeAttribute(text: string): string {
  return showable(text).replace(/[&<>"'\t\n\r]/g, (char) => ATTRIBUTE_ENTITIES[char] ?? char);
}
