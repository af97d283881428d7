/**
 * Transcripts of what a clause sent to the target and what came back. Clause helpers record each
 * exchange; when the clause fails, the redacted transcript goes into results.json so the failure
 * says what was sent and what came back, next to what the clause required.
 */
import { redact } from '../../reports/model/redact.js';
import type { TranscriptEntry } from '../../reports/model/results.js';

/** Longest text kept for one side of an exchange. */
export const TRANSCRIPT_TEXT_LIMIT = 4096;
/** Most exchanges kept per test (the last ones: the failure is usually near the end). */
export const TRANSCRIPT_ENTRY_LIMIT = 40;

/** Shows bytes as text: printable ASCII and UTF-8 as is, other control bytes as `\xNN`. */
export function printable(data: string | Uint8Array): string {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control bytes are exactly what is escaped here
    /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function clip(text: string): string {
  if (text.length <= TRANSCRIPT_TEXT_LIMIT) return text;
  return `${text.slice(0, TRANSCRIPT_TEXT_LIMIT)}… (${text.length - TRANSCRIPT_TEXT_LIMIT} more characters)`;
}

function describe(value: string | Uint8Array | Error): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `(error) ${typeof code === 'string' ? `${code}: ` : ''}${value.message}`;
  }
  return printable(value);
}

let current: TranscriptEntry[] | undefined;
let logs: { peer: string; sent: string | (() => string); read: () => string }[] = [];

/** Starts collecting for the test that is about to run (called by `clause()`). */
export function beginTranscript(): void {
  current = [];
  logs = [];
}

/**
 * Adds a log to the running clause's transcript: a launched command's stderr, or both directions
 * of a raw connection. `sent` (when a function) and `read` are called when the clause ends, so
 * the entry holds everything up to then.
 */
export function attachLog(peer: string, sent: string | (() => string), read: () => string): void {
  if (current !== undefined) logs.push({ peer, sent, read });
}

/** Stops collecting and returns what was recorded, redacted and clipped. */
export function endTranscript(): TranscriptEntry[] {
  const entries = [
    ...(current ?? []),
    ...logs.map((log) => ({
      peer: log.peer,
      sent: printable(typeof log.sent === 'string' ? log.sent : log.sent()),
      received: printable(log.read() || '(nothing)'),
    })),
  ];
  current = undefined;
  logs = [];
  return entries.slice(-TRANSCRIPT_ENTRY_LIMIT).map((entry) => ({
    peer: entry.peer,
    sent: clip(redact(entry.sent)),
    received: clip(redact(entry.received)),
  }));
}

/** Records one exchange of the running clause; a no-op outside a clause. */
export function recordExchange(
  peer: string,
  sent: string | Uint8Array,
  received: string | Uint8Array | Error,
): void {
  current?.push({ peer, sent: describe(sent), received: describe(received) });
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (typeof value === 'object' && value !== null && Symbol.asyncIterator in value) return '<stream>';
  try {
    return JSON.stringify(value, (_key, inner: unknown) =>
      inner instanceof Uint8Array ? `<${inner.byteLength} bytes>` : inner,
    );
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Wraps an object so that each method call is recorded as `method(args)` → result or error. Used
 * for in-process facets (a registry, a composite runtime), whose "wire" is a method call.
 */
export function recordCalls<T extends object>(peer: string, subject: T): T {
  return new Proxy(subject, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor')
        return value;
      return (...args: unknown[]): unknown => {
        const sent = `${property}(${args.map(show).join(', ')})`;
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          recordExchange(peer, sent, error instanceof Error ? error : new Error(String(error)));
          throw error;
        }
        if (result instanceof Promise) {
          return result.then(
            (resolved: unknown) => {
              recordExchange(peer, sent, show(resolved));
              return resolved;
            },
            (error: unknown) => {
              recordExchange(peer, sent, error instanceof Error ? error : new Error(String(error)));
              throw error;
            },
          );
        }
        recordExchange(peer, sent, show(result));
        return result;
      };
    },
  });
}
