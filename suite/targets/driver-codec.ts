/**
 * §10 and §11 of docs/driver-protocol.md as the suite reads and writes them: values with bytes
 * and streams in them, and errors with their codes and details. The suite's own implementation
 * (see driver-wire.ts for why it shares no code with protocol/driver/).
 */
import type { OsKind } from '../../protocol/runtime.js';
import {
  PullFailedError,
  RouteToPeerError,
  RuntimeInternalError,
  RuntimeNotFoundError,
  RuntimeUnsupportedError,
  WrongPlatformError,
} from '../../protocol/runtime-errors.js';
import { DriverAnsweredError, DriverBadAnswerError, DriverBadRequestError } from './driver-errors.js';
import {
  RUNTIME_METHODS,
  type JsonObject,
  type JsonValue,
  type RuntimeMethod,
  type WireError,
} from './driver-wire.js';

/** How values reach streams: the suite hands its own out by id and pulls the driver's by id (§9). */
export interface StreamPort {
  /** Registers a stream the suite hands out; returns the id the driver pulls it with. */
  share(stream: AsyncIterable<unknown>): string;
  /** A stream the driver handed out. */
  pull(id: string): AsyncIterable<unknown>;
}

/** Builds the error for a value §10 refuses (a bad request or a bad answer, by where it was found). */
export type Refusal = (problem: string) => Error;
/** A bad value in a driver's answer. */
export const inAnswer: Refusal = (problem) => new DriverBadAnswerError(problem);
/** A bad value in a driver's request (a callback's args). */
export const inRequest: Refusal = (problem) => new DriverBadRequestError(problem);

// ---------------------------------------------------------------------------------------------
// §10: values

const isStream = (value: object): value is AsyncIterable<unknown> =>
  typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';

/**
 * A value as JSON: bytes as `{"$bytes"}`, a stream as `{"$stream"}` (handed out through
 * `streams`); an unset field is left out, an unset array item and a number JSON cannot hold
 * become `null`.
 */
export function toWire(value: unknown, streams: StreamPort): JsonValue {
  switch (typeof value) {
    case 'undefined':
      return null;
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      if (value === null) return null;
      if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
      if (Array.isArray(value)) return value.map((item: unknown) => toWire(item, streams));
      if (isStream(value)) return { $stream: streams.share(value) };
      return Object.fromEntries<JsonValue>(
        Object.entries(value)
          .filter(([, field]) => field !== undefined)
          .map(([key, field]) => [key, toWire(field, streams)]),
      );
    default:
      throw new TypeError(`a ${typeof value} has no JSON form in the driver protocol`);
  }
}

/** §7: call arguments as a JSON array; unset trailing arguments (optional ones) are left out. */
export function argsToWire(args: readonly unknown[], streams: StreamPort): JsonValue[] {
  const given = args.reduce<number>((count, arg, index) => (arg === undefined ? count : index + 1), 0);
  return args.slice(0, given).map((arg) => toWire(arg, streams));
}

/** §10: standard base64, padded to a multiple of four, nothing else. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The single key of an object that has exactly one. */
function onlyKey(value: JsonObject): string | undefined {
  let found: string | undefined;
  for (const key in value) {
    if (found !== undefined) return undefined;
    found = key;
  }
  return found;
}

/** The inverse of `toWire`; a bad `$bytes` or `$stream` is refused with `refuse`. */
export function fromWire(value: JsonValue, streams: StreamPort, refuse: Refusal): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => fromWire(item, streams, refuse));
  const key = onlyKey(value);
  if (key === '$bytes') {
    const text = value.$bytes;
    if (typeof text !== 'string' || !BASE64.test(text)) {
      throw refuse(`"$bytes" must hold padded standard base64, got ${JSON.stringify(text)}`);
    }
    return new Uint8Array(Buffer.from(text, 'base64'));
  }
  if (key === '$stream') {
    const id = value.$stream;
    if (typeof id !== 'string' || id === '') {
      throw refuse(`"$stream" must hold a non-empty stream id, got ${JSON.stringify(id)}`);
    }
    return streams.pull(id);
  }
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [name, fromWire(item, streams, refuse)]),
  );
}

async function* alreadyEnded(items: readonly unknown[]): AsyncGenerator<unknown> {
  yield* items;
}

/**
 * §7, §9: a Runtime method's result as its caller sees it: `null` is "nothing" (undefined), and a
 * stream method may answer a JSON array instead of a `{"$stream"}`: a stream that has already ended.
 */
export function resultFromWire(
  method: RuntimeMethod,
  result: JsonValue,
  streams: StreamPort,
  refuse: Refusal,
): unknown {
  if (result === null) return undefined;
  if (RUNTIME_METHODS[method] === 'stream' && Array.isArray(result)) {
    return alreadyEnded(result.map((item) => fromWire(item, streams, refuse)));
  }
  return fromWire(result, streams, refuse);
}

// ---------------------------------------------------------------------------------------------
// §11: errors

/** The wire code of an error without a code of its own. */
export const UNSPECIFIED = 'ERR_UNSPECIFIED';
/** §11: the form of berth's own codes. */
const CODE_FORM = /^[A-Z][A-Z0-9_]*$/;
/** What RuntimeInternalError puts before the detail in its message. */
const INTERNAL_PREFIX = 'internal error: ';
const OS_KINDS: readonly OsKind[] = ['linux', 'windows', 'macos'];

/** §11: reading details, with the document's readings of what is missing. */
class Details {
  constructor(
    readonly wire: WireError,
    readonly fields: JsonObject = wire.details ?? {},
  ) {}
  /** A string detail; missing or not a string: `otherwise`. */
  text(key: string, otherwise = ''): string {
    const value = this.fields[key];
    return typeof value === 'string' ? value : otherwise;
  }
  /** `reason`, `operation`, `detail`: the message when missing. */
  orMessage(key: string): string {
    return this.text(key, this.wire.message);
  }
  /** An OS kind; missing or unknown: linux. */
  os(key: string): OsKind {
    return OS_KINDS.find((kind) => kind === this.fields[key]) ?? 'linux';
  }
}

/** One runtime error of §11: its class, its details, and how to rebuild it from them. */
interface RuntimeErrorForm<E extends Error> {
  readonly type: abstract new (...args: never[]) => E;
  readonly details: (error: E) => JsonObject;
  readonly rebuild: (details: Details) => Error;
}

const form = <E extends Error>(shape: RuntimeErrorForm<E>): RuntimeErrorForm<Error> =>
  shape as unknown as RuntimeErrorForm<Error>;

/** §11 "Runtime errors", by code. */
const RUNTIME_ERRORS: Readonly<Record<string, RuntimeErrorForm<Error>>> = {
  ERR_RUNTIME_NOT_FOUND: form({
    type: RuntimeNotFoundError,
    details: (error) => ({ container: error.container, reason: error.reason }),
    rebuild: (d) => new RuntimeNotFoundError(d.text('container'), d.orMessage('reason')),
  }),
  ERR_RUNTIME_UNSUPPORTED: form({
    type: RuntimeUnsupportedError,
    details: (error) => ({ operation: error.operation }),
    rebuild: (d) => new RuntimeUnsupportedError(d.orMessage('operation')),
  }),
  ERR_RUNTIME_WRONG_PLATFORM: form({
    type: WrongPlatformError,
    details: (error) => ({
      runtime: error.runtime,
      expected: error.expected,
      actual: error.actual,
      image: error.image,
    }),
    rebuild: (d) =>
      new WrongPlatformError(d.text('runtime'), d.os('expected'), d.os('actual'), d.text('image')),
  }),
  ERR_RUNTIME_ROUTE_TO_PEER: form({
    type: RouteToPeerError,
    details: (error) => ({ service: error.service, requiredOs: error.requiredOs, reason: error.reason }),
    rebuild: (d) => new RouteToPeerError(d.text('service'), d.os('requiredOs'), d.orMessage('reason')),
  }),
  ERR_RUNTIME_PULL_FAILED: form({
    type: PullFailedError,
    details: (error) => ({
      image: error.image,
      failures: error.failures.map((failure) => errorToWire(failure) as unknown as JsonObject),
    }),
    rebuild: (d) => {
      const listed = d.fields.failures;
      const failures = (Array.isArray(listed) ? listed : []).filter(isWireError).map(errorFromWire);
      return new PullFailedError(d.text('image'), failures);
    },
  }),
  ERR_RUNTIME_INTERNAL: form({
    type: RuntimeInternalError,
    details: (error) => ({
      detail: error.message.startsWith(INTERNAL_PREFIX)
        ? error.message.slice(INTERNAL_PREFIX.length)
        : error.message,
    }),
    rebuild: (d) => {
      const fallback = d.wire.message.startsWith(INTERNAL_PREFIX)
        ? d.wire.message.slice(INTERNAL_PREFIX.length)
        : d.wire.message;
      return new RuntimeInternalError(d.text('detail', fallback));
    },
  }),
};

function isWireError(value: JsonValue): value is JsonObject & WireError {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof value.code === 'string' &&
    typeof value.message === 'string' &&
    (value.details === undefined || (typeof value.details === 'object' && !Array.isArray(value.details)))
  );
}

/** The `details` an error carries itself (the suite's protocol errors, a driver's error passed on). */
function ownDetails(error: object): JsonObject | undefined {
  const details = (error as { details?: unknown }).details;
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return undefined;
  return Object.keys(details).length === 0 ? undefined : (details as JsonObject);
}

/** §11: an error of the suite's (a runtime double's, an inspector's) as an error answer. */
export function errorToWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { code: UNSPECIFIED, message: String(error) };
  const code = (error as { code?: unknown }).code;
  const wire = {
    code: typeof code === 'string' && CODE_FORM.test(code) ? code : UNSPECIFIED,
    message: error.message,
  };
  const runtime = Object.values(RUNTIME_ERRORS).find((entry) => error instanceof entry.type);
  const details = runtime === undefined ? ownDetails(error) : runtime.details(error);
  return details === undefined ? wire : { ...wire, details };
}

/**
 * §11: the error an error answer stands for: a runtime error of protocol/runtime-errors.ts rebuilt
 * from its details (the clauses read their fields), or the driver's code, message and details as
 * a DriverAnsweredError.
 */
export function errorFromWire(wire: WireError): Error {
  const runtime = Object.hasOwn(RUNTIME_ERRORS, wire.code) ? RUNTIME_ERRORS[wire.code] : undefined;
  return (
    runtime?.rebuild(new Details(wire)) ??
    new DriverAnsweredError(wire.code, wire.message, wire.details ?? {})
  );
}
