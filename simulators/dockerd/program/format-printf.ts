/** Backslash escapes of printf formats and `echo -e`: \n \t \\ \a \b \f \r \v \0NNN, \c stops. */
export function expandEscapes(text: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c !== '\\' || i === text.length - 1) {
      out += c;
      continue;
    }
    const next = text[i + 1] as string;
    i += 1;
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      '\\': '\\',
      a: '\x07',
      b: '\b',
      f: '\f',
      r: '\r',
      v: '\v',
      e: '\x1b',
    };
    if (next in simple) out += simple[next];
    else if (next === 'c') return { text: out, stop: true };
    else if (/[0-7]/.test(next)) {
      const octal = /^0?[0-7]{1,3}/.exec(text.slice(i)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(octal[0], 8) & 0xff);
      i += octal[0].length - 1;
    } else out += `\\${next}`;
  }
  return { text: out, stop: false };
}

/** What printf wrote and the numbers it could not parse (busybox: "invalid number 'x'", status 1). */
export interface PrintfResult {
  readonly output: string;
  readonly invalid: readonly string[];
}

function parseNumber(arg: string, invalid: string[]): number {
  const trimmed = arg.trim();
  if (trimmed === '') return 0;
  if (/^[+-]?(0x[0-9a-f]+|[0-9]+)$/i.test(trimmed))
    return Number.parseInt(trimmed, trimmed.toLowerCase().includes('0x') ? 16 : 10);
  if (/^'./.test(trimmed) || /^"./.test(trimmed)) return trimmed.codePointAt(1) ?? 0;
  const lead = /^[+-]?[0-9]+/.exec(trimmed);
  invalid.push(arg);
  return lead ? Number(lead[0]) : 0;
}

/** POSIX printf: the format is reused while arguments remain; missing ones read as "" or 0. */
export function formatPrintf(format: string, args: readonly string[]): PrintfResult {
  const invalid: string[] = [];
  let output = '';
  let next = 0;
  const take = (): string | undefined => (next < args.length ? args[next++] : undefined);
  do {
    const start = next;
    const spec = /%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?([sdiuxXocbf%])/g;
    let last = 0;
    let stopped = false;
    for (let match = spec.exec(format); match; match = spec.exec(format)) {
      const literal = expandEscapes(format.slice(last, match.index));
      output += literal.text;
      last = spec.lastIndex;
      if (literal.stop) {
        stopped = true;
        break;
      }
      const [, flags = '', widthText, precisionText, conversion] = match;
      if (conversion === '%') {
        output += '%';
        continue;
      }
      const width = widthText === '*' ? parseNumber(take() ?? '0', invalid) : Number(widthText ?? 0);
      const precision =
        precisionText === undefined
          ? undefined
          : precisionText === '*'
            ? parseNumber(take() ?? '0', invalid)
            : Number(precisionText);
      const arg = take();
      let text: string;
      switch (conversion) {
        case 's':
          text = arg ?? '';
          if (precision !== undefined) text = text.slice(0, precision);
          break;
        case 'b':
          text = expandEscapes(arg ?? '').text;
          break;
        case 'c':
          text = (arg ?? '').slice(0, 1);
          break;
        case 'f':
          text = Number.parseFloat(arg ?? '0').toFixed(precision ?? 6);
          break;
        default: {
          const value = parseNumber(arg ?? '0', invalid);
          const base = conversion === 'x' || conversion === 'X' ? 16 : conversion === 'o' ? 8 : 10;
          text = Math.trunc(value).toString(base);
          if (conversion === 'X') text = text.toUpperCase();
          if (flags.includes('+') && value >= 0 && base === 10) text = `+${text}`;
        }
      }
      const pad = flags.includes('0') && !flags.includes('-') && conversion !== 's' ? '0' : ' ';
      if (text.length < width) text = flags.includes('-') ? text.padEnd(width) : text.padStart(width, pad);
      output += text;
    }
    if (stopped) break;
    output += expandEscapes(format.slice(last)).text;
    // Reuse the format only while it consumes arguments.
    if (next === start) break;
  } while (next < args.length);
  return { output, invalid };
}
