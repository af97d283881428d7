/**
 * Base class of every error berth raises on purpose. Each subclass has a stable `code`
 * (tests match on it, never on message text) and a message naming the offending values.
 */
export abstract class BerthError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isBerthError(value: unknown): value is BerthError {
  return value instanceof BerthError;
}

/** True when `value` is an Error-like object carrying the given `code` (Node system errors too). */
export function hasErrorCode(value: unknown, code: string): boolean {
  return typeof value === 'object' && value !== null && (value as { code?: unknown }).code === code;
}
