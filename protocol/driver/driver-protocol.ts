/**
 * The driver protocol (docs/driver-protocol.md): newline-delimited JSON between the suite and a
 * driver process that serves a library component (a workload registry, a composite runtime) over
 * its stdin/stdout. Both sides send requests `{"id","op","args"}` and answer the other side's
 * requests with `{"id","ok":true,"result"}` or `{"id","ok":false,"error":{"code","message","details"}}`;
 * each side numbers its own requests.
 *
 * This module is the pure part: message types, line parsing and encoding, the value encoding
 * (bytes, streams) and the error encoding (every protocol/runtime-errors.ts class round-trips with
 * its code and fields). No I/O.
 */
import { BerthError } from '../errors.js';
import type { OsKind, Runtime } from '../runtime.js';
import {
  PullFailedError,
  RouteToPeerError,
  RuntimeInternalError,
  RuntimeNotFoundError,
  RuntimeUnsupportedError,
  WrongPlatformError,
} from '../runtime-errors.js';

/** The protocol version this module speaks; `driver.hello` answers must name it. */
export const DRIVER_PROTOCOL_VERSION = 1;

/** Components a driver may serve (announced in its hello). */
export const DRIVER_COMPONENTS = ['registry', 'dispatch'] as const;
export type DriverComponent = (typeof DRIVER_COMPONENTS)[number];

/** Default cap on one line, in UTF-8 bytes without its ending: a longer line is a protocol violation. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Operations the suite sends to a driver. */
export const DRIVER_OPS = {
  hello: 'driver.hello',
  registryCreate: 'registry.create',
  registryRecord: 'registry.record',
  registryAddAlias: 'registry.addAlias',
  registryRenameAlias: 'registry.renameAlias',
  registryLookup: 'registry.lookup',
  registryForget: 'registry.forget',
  registryDispose: 'registry.dispose',
  dispatchCreate: 'dispatch.create',
  dispatchCall: 'dispatch.call',
  dispatchDispose: 'dispatch.dispose',
} as const;

/** Operations a driver sends to the suite (callbacks into the suite's runtimes and inspectors). */
export const SUITE_OPS = {
  runtimeCall: 'runtime.call',
  inspectorInspect: 'inspector.inspect',
} as const;

/** Operations either side serves for the streams it handed out (`{"$stream": id}` values). */
export const STREAM_OPS = {
  next: 'stream.next',
  cancel: 'stream.cancel',
} as const;

/** Every method of the Runtime port, in the order of protocol/runtime.ts. */
export const RUNTIME_METHODS = [
  'pullImage',
  'listImages',
  'removeImage',
  'tagImage',
  'pruneImages',
  'createContainer',
  'startContainer',
  'stopContainer',
  'removeContainer',
  'containerState',
  'exec',
  'execWithOpts',
  'containerLogs',
  'logsStream',
  'containerStats',
  'statsStream',
  'waitContainer',
  'renameContainer',
  'killContainer',
  'pauseContainer',
  'unpauseContainer',
  'inspectContainer',
  'listContainers',
  'archiveGet',
  'archivePut',
  'commitContainer',
] as const satisfies readonly (keyof Runtime)[];
export type RuntimeMethodName = (typeof RUNTIME_METHODS)[number];

// Compile-time check that RUNTIME_METHODS names every method of the port.
type MissingRuntimeMethods = Exclude<keyof Runtime, RuntimeMethodName>;
const everyRuntimeMethodListed: MissingRuntimeMethods extends never ? true : MissingRuntimeMethods = true;
void everyRuntimeMethodListed;

/** Runtime methods whose result is a stream (an AsyncIterable). */
export const STREAM_METHODS: readonly RuntimeMethodName[] = ['logsStream', 'statsStream'];

/** The runtime slots of a composite (CompositeRuntimeOptions), in fallback order. */
export const RUNTIME_SLOTS = ['primary', 'delegate', 'vz', 'vzLinux'] as const;
export type RuntimeSlot = (typeof RUNTIME_SLOTS)[number];

/** The image inspectors of a composite: `os` (ImageInspector<OsKind>), `marker` (RuntimeMarker). */
export const INSPECTOR_KINDS = ['os', 'marker'] as const;
export type InspectorKind = (typeof INSPECTOR_KINDS)[number];

export const isRuntimeMethod = (value: unknown): value is RuntimeMethodName =>
  (RUNTIME_METHODS as readonly unknown[]).includes(value);
export const isRuntimeSlot = (value: unknown): value is RuntimeSlot =>
  (RUNTIME_SLOTS as readonly unknown[]).includes(value);
export const isInspectorKind = (value: unknown): value is InspectorKind =>
  (INSPECTOR_KINDS as readonly unknown[]).includes(value);

// ---------------------------------------------------------------------------------------------
// Messages

export interface DriverRequest {
  readonly id: number;
  readonly op: string;
  readonly args: JsonObject;
}

export interface DriverSuccess {
  readonly id: number;
  readonly ok: true;
  readonly result: JsonValue;
}

export interface DriverFailure {
  readonly id: number;
  readonly ok: false;
  readonly error: WireError;
}

export type DriverResponse = DriverSuccess | DriverFailure;
export type DriverMessage = DriverRequest | DriverResponse;

/** An error as it travels: a stable code, a message, and the error's fields (`details`). */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details?: JsonObject;
}

/** What a driver answers to `driver.hello`. */
export interface DriverHello {
  readonly name: string;
  readonly version: string;
  readonly protocol: number;
  readonly components: readonly DriverComponent[];
}

export const isDriverRequest = (message: DriverMessage): message is DriverRequest => 'op' in message;

/** A line (without its newline) that was not a valid message; `line` is the offending text. */
export class DriverMessageError extends BerthError {
  readonly code = 'ERR_DRIVER_MALFORMED_LINE';
  constructor(
    readonly line: string,
    readonly problem: string,
    options?: ErrorOptions,
    /** What else is known about the peer (a driver's stderr tail), appended to the message. */
    readonly diagnostics = '',
  ) {
    super(
      `malformed protocol line (${problem}): ${clipLine(line)}` +
        (diagnostics.trim() === '' ? '' : `; driver stderr (tail):\n${diagnostics.trimEnd()}`),
      options,
    );
  }
}

/** A request whose `args` miss a field or hold a value of the wrong type. */
export class DriverBadRequestError extends BerthError {
  readonly code = 'ERR_DRIVER_BAD_REQUEST';
}

/** An answer that is a well-formed message but not the shape the operation answers. */
export class DriverBadAnswerError extends BerthError {
  readonly code = 'ERR_DRIVER_BAD_ANSWER';
}

/** A request naming an operation the peer does not serve. */
export class DriverUnknownOpError extends BerthError {
  readonly code = 'ERR_DRIVER_UNKNOWN_OP';
  constructor(
    readonly op: string,
    options?: ErrorOptions,
  ) {
    super(`unknown operation '${op}'`, options);
  }
}

/** A request naming an instance handle the peer does not hold (never created, or disposed). */
export class DriverUnknownHandleError extends BerthError {
  readonly code = 'ERR_DRIVER_UNKNOWN_HANDLE';
  constructor(
    readonly handle: string,
    options?: ErrorOptions,
  ) {
    super(`unknown handle '${handle}'`, options);
  }
}

/** A `stream.next`/`stream.cancel` naming a stream the peer does not hold (ended or never opened). */
export class DriverUnknownStreamError extends BerthError {
  readonly code = 'ERR_DRIVER_UNKNOWN_STREAM';
  constructor(
    readonly stream: string,
    options?: ErrorOptions,
  ) {
    super(`unknown stream '${stream}'`, options);
  }
}

/**
 * An error the peer reported with a code that has no class here. It keeps the peer's code as its
 * own, so checks by code (`hasErrorCode`) work across the wire, and re-encodes unchanged.
 */
export class DriverRemoteError extends BerthError {
  readonly code: string;
  constructor(
    code: string,
    message: string,
    readonly details: JsonObject = {},
  ) {
    super(message);
    this.code = code;
  }
}

/** The wire code of an error with no code of its own (a plain `Error`, a thrown string). */
export const UNSPECIFIED_ERROR_CODE = 'ERR_UNSPECIFIED';

const LINE_PREVIEW = 200;

/** The start of a line for error messages. */
export function clipLine(line: string): string {
  const shown = line.length > LINE_PREVIEW ? `${line.slice(0, LINE_PREVIEW)}… (${line.length} chars)` : line;
  return JSON.stringify(shown);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The line of a message, without the newline. */
export function encodeMessage(message: DriverMessage): string {
  return JSON.stringify(message);
}

/**
 * Parses one line (without its newline) into a message, checking the envelope: an integer `id`,
 * then either a request (`op` string, `args` object or absent) or a response (`ok` boolean with
 * `result`, or `ok: false` with an `error` object holding string `code` and `message`).
 */
export function parseMessage(line: string): DriverMessage {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch (error) {
    throw new DriverMessageError(line, 'not JSON', { cause: error });
  }
  if (!isObject(data)) throw new DriverMessageError(line, 'not a JSON object');
  const { id } = data;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw new DriverMessageError(line, '"id" must be a non-negative integer');
  }
  const hasOp = 'op' in data;
  const hasOk = 'ok' in data;
  if (hasOp && hasOk) throw new DriverMessageError(line, 'has both "op" and "ok"');
  if (hasOp) {
    const { op, args } = data;
    if (typeof op !== 'string' || op === '') throw new DriverMessageError(line, '"op" must be a string');
    if (args !== undefined && args !== null && !isObject(args)) {
      throw new DriverMessageError(line, '"args" must be an object');
    }
    return { id, op, args: (args ?? {}) as JsonObject };
  }
  if (!hasOk) throw new DriverMessageError(line, 'neither a request ("op") nor a response ("ok")');
  const { ok } = data;
  if (ok === true) return { id, ok, result: (data.result ?? null) as JsonValue };
  if (ok !== false) throw new DriverMessageError(line, '"ok" must be true or false');
  const { error } = data;
  if (!isObject(error)) throw new DriverMessageError(line, '"error" must be an object when "ok" is false');
  if (typeof error.code !== 'string' || error.code === '') {
    throw new DriverMessageError(line, '"error.code" must be a non-empty string');
  }
  if (typeof error.message !== 'string')
    throw new DriverMessageError(line, '"error.message" must be a string');
  if (error.details !== undefined && error.details !== null && !isObject(error.details)) {
    throw new DriverMessageError(line, '"error.details" must be an object');
  }
  const wire: WireError = isObject(error.details)
    ? { code: error.code, message: error.message, details: error.details as JsonObject }
    : { code: error.code, message: error.message };
  return { id, ok, error: wire };
}

/** Checks a `driver.hello` result; a problem is a DriverBadAnswerError saying what is wrong. */
export function parseHello(result: JsonValue): DriverHello {
  if (!isObject(result)) throw new DriverBadAnswerError('the hello answer is not an object');
  const { name, version, protocol, components } = result;
  if (typeof name !== 'string' || name === '')
    throw new DriverBadAnswerError('the hello answer has no "name"');
  if (typeof version !== 'string') throw new DriverBadAnswerError('the hello answer has no "version" string');
  if (protocol !== DRIVER_PROTOCOL_VERSION) {
    throw new DriverBadAnswerError(
      `the driver speaks protocol ${JSON.stringify(protocol)}, the suite speaks ${DRIVER_PROTOCOL_VERSION}`,
    );
  }
  if (!Array.isArray(components) || components.some((c) => typeof c !== 'string')) {
    throw new DriverBadAnswerError('the hello answer has no "components" array of strings');
  }
  const known = components.filter((c): c is DriverComponent =>
    (DRIVER_COMPONENTS as readonly unknown[]).includes(c),
  );
  return { name, version, protocol, components: known };
}

// ---------------------------------------------------------------------------------------------
// Values

/** How a side hands out its streams: registers one and returns the id the peer will pull with. */
export interface StreamExporter {
  openStream(iterable: AsyncIterable<unknown>): string;
}

/** How a side reaches a stream the peer handed out. */
export interface StreamImporter {
  remoteStream(id: string): AsyncIterable<unknown>;
}

const isAsyncIterable = (value: object): value is AsyncIterable<unknown> =>
  Symbol.asyncIterator in value &&
  typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';

/**
 * A value as JSON: Uint8Array as `{"$bytes": base64}`, an AsyncIterable as `{"$stream": id}`
 * (registered with `streams`), `undefined` as null (in arrays) or left out (in objects).
 */
export function encodeValue(value: unknown, streams?: StreamExporter): JsonValue {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      break;
    default:
      throw new TypeError(`cannot encode a ${typeof value} for the driver protocol`);
  }
  if (value instanceof Uint8Array) {
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (Array.isArray(value)) return value.map((item: unknown) => encodeValue(item, streams));
  if (isAsyncIterable(value)) {
    if (streams === undefined) throw new TypeError('cannot encode a stream without a stream registry');
    return { $stream: streams.openStream(value) };
  }
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = encodeValue(item, streams);
  }
  return out;
}

/** Arguments as a JSON array; trailing `undefined` arguments are left out (optional parameters). */
export function encodeArgs(args: readonly unknown[], streams?: StreamExporter): JsonValue[] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end -= 1;
  return args.slice(0, end).map((arg) => encodeValue(arg, streams));
}

/** Builds the error for a `$bytes`/`$stream` value the doc refuses, by where it was found. */
export type BadValue = (problem: string) => Error;
/** A bad value in a request of the other side's: answered ERR_DRIVER_BAD_REQUEST. */
export const badValueInRequest: BadValue = (problem) => new DriverBadRequestError(problem);
/** A bad value in an answer of the other side's. */
export const badValueInAnswer: BadValue = (problem) => new DriverBadAnswerError(problem);

/** Standard base64 with padding (docs/driver-protocol.md §10); nothing else is bytes. */
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The inverse of `encodeValue`: `{"$bytes"}` → Uint8Array, `{"$stream"}` → AsyncIterable. An
 * object whose only key is `$bytes` or `$stream` holding anything else (not padded base64, an
 * empty or non-string stream id) is refused with `bad`.
 */
export function decodeValue(
  value: JsonValue,
  streams?: StreamImporter,
  bad: BadValue = badValueInRequest,
): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => decodeValue(item, streams, bad));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$bytes') {
    const bytes = value.$bytes;
    if (typeof bytes !== 'string' || !PADDED_BASE64.test(bytes)) {
      throw bad(`"$bytes" must be padded standard base64, got ${JSON.stringify(bytes)}`);
    }
    return Uint8Array.from(Buffer.from(bytes, 'base64'));
  }
  if (keys.length === 1 && keys[0] === '$stream') {
    const stream = value.$stream;
    if (typeof stream !== 'string' || stream === '') {
      throw bad(`"$stream" must be a non-empty stream id, got ${JSON.stringify(stream)}`);
    }
    if (streams === undefined) throw new TypeError('cannot decode a stream without a stream registry');
    return streams.remoteStream(stream);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = decodeValue(value[key] as JsonValue, streams, bad);
  return out;
}

/** A result as the caller sees it: null (a method returning nothing, an unknown answer) is undefined. */
export function decodeResult(value: JsonValue, streams?: StreamImporter): unknown {
  return value === null ? undefined : decodeValue(value, streams, badValueInAnswer);
}

async function* itemsOf(items: readonly unknown[]): AsyncGenerator<unknown> {
  for (const item of items) yield item;
}

/**
 * The result of a Runtime method as the caller sees it. A stream method's result is a
 * `{"$stream"}`; a JSON array is accepted too, as a stream that has already ended.
 */
export function decodeRuntimeResult(
  method: RuntimeMethodName,
  result: JsonValue,
  streams?: StreamImporter,
): unknown {
  if (STREAM_METHODS.includes(method) && Array.isArray(result)) {
    return itemsOf(result.map((item) => decodeValue(item, streams, badValueInAnswer)));
  }
  return decodeResult(result, streams);
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Wire codes that decode to a class of protocol/runtime-errors.ts (with the listed details). */
export const RUNTIME_ERROR_CODES = [
  'ERR_RUNTIME_NOT_FOUND', // details: container, reason
  'ERR_RUNTIME_UNSUPPORTED', // details: operation
  'ERR_RUNTIME_WRONG_PLATFORM', // details: runtime, expected, actual, image
  'ERR_RUNTIME_ROUTE_TO_PEER', // details: service, requiredOs, reason
  'ERR_RUNTIME_PULL_FAILED', // details: image, failures (wire errors)
  'ERR_RUNTIME_INTERNAL', // details: detail (the message without "internal error: ")
] as const;

/** Wire codes of the protocol itself (a request one side could not serve). */
export const PROTOCOL_ERROR_CODES = [
  'ERR_DRIVER_BAD_REQUEST',
  'ERR_DRIVER_UNKNOWN_OP',
  'ERR_DRIVER_UNKNOWN_HANDLE',
  'ERR_DRIVER_UNKNOWN_STREAM',
] as const;

const INTERNAL_PREFIX = 'internal error: ';
const CODE_SHAPE = /^[A-Z][A-Z0-9_]*$/;

function codeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CODE_SHAPE.test(code) ? code : UNSPECIFIED_ERROR_CODE;
}

/** An error as it travels: its code, message and fields (the runtime errors' fields by name). */
export function encodeError(error: unknown): WireError {
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  const details = errorDetails(error, message);
  return details === undefined ? { code, message } : { code, message, details };
}

function errorDetails(error: unknown, message: string): JsonObject | undefined {
  if (error instanceof RuntimeNotFoundError) return { container: error.container, reason: error.reason };
  if (error instanceof RuntimeUnsupportedError) return { operation: error.operation };
  if (error instanceof WrongPlatformError) {
    return { runtime: error.runtime, expected: error.expected, actual: error.actual, image: error.image };
  }
  if (error instanceof RouteToPeerError) {
    return { service: error.service, requiredOs: error.requiredOs, reason: error.reason };
  }
  if (error instanceof PullFailedError) {
    return { image: error.image, failures: error.failures.map((failure) => wireJson(encodeError(failure))) };
  }
  if (error instanceof RuntimeInternalError) {
    return { detail: message.startsWith(INTERNAL_PREFIX) ? message.slice(INTERNAL_PREFIX.length) : message };
  }
  if (error instanceof DriverRemoteError)
    return Object.keys(error.details).length > 0 ? error.details : undefined;
  if (error instanceof DriverUnknownHandleError) return { handle: error.handle };
  if (error instanceof DriverUnknownStreamError) return { stream: error.stream };
  if (error instanceof DriverUnknownOpError) return { op: error.op };
  return undefined;
}

const wireJson = (wire: WireError): JsonObject =>
  wire.details === undefined
    ? { code: wire.code, message: wire.message }
    : { code: wire.code, message: wire.message, details: wire.details };

const text = (details: JsonObject, key: string, fallback: string): string => {
  const value = details[key];
  return typeof value === 'string' ? value : fallback;
};

const OS_KINDS: readonly string[] = ['linux', 'windows', 'macos'];
const osKind = (details: JsonObject, key: string): OsKind => {
  const value = details[key];
  return typeof value === 'string' && OS_KINDS.includes(value) ? (value as OsKind) : 'linux';
};

function isWireError(value: unknown): value is WireError {
  return isObject(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/**
 * The error a wire error stands for: the runtime-errors.ts class of its code (rebuilt from
 * `details`), a protocol error class, or a DriverRemoteError keeping the peer's code.
 */
export function decodeError(wire: WireError): Error {
  const details = wire.details ?? {};
  switch (wire.code) {
    case 'ERR_RUNTIME_NOT_FOUND':
      return new RuntimeNotFoundError(text(details, 'container', ''), text(details, 'reason', wire.message));
    case 'ERR_RUNTIME_UNSUPPORTED':
      return new RuntimeUnsupportedError(text(details, 'operation', wire.message));
    case 'ERR_RUNTIME_WRONG_PLATFORM':
      return new WrongPlatformError(
        text(details, 'runtime', ''),
        osKind(details, 'expected'),
        osKind(details, 'actual'),
        text(details, 'image', ''),
      );
    case 'ERR_RUNTIME_ROUTE_TO_PEER':
      return new RouteToPeerError(
        text(details, 'service', ''),
        osKind(details, 'requiredOs'),
        text(details, 'reason', wire.message),
      );
    case 'ERR_RUNTIME_PULL_FAILED': {
      const failures: WireError[] = Array.isArray(details.failures)
        ? details.failures.filter((failure): failure is JsonValue & WireError => isWireError(failure))
        : [];
      return new PullFailedError(
        text(details, 'image', ''),
        failures.map((failure) => decodeError(failure)),
      );
    }
    case 'ERR_RUNTIME_INTERNAL':
      return new RuntimeInternalError(
        text(
          details,
          'detail',
          wire.message.startsWith(INTERNAL_PREFIX)
            ? wire.message.slice(INTERNAL_PREFIX.length)
            : wire.message,
        ),
      );
    case 'ERR_DRIVER_BAD_REQUEST':
      return new DriverBadRequestError(wire.message);
    case 'ERR_DRIVER_UNKNOWN_OP':
      return new DriverUnknownOpError(text(details, 'op', wire.message));
    case 'ERR_DRIVER_UNKNOWN_HANDLE':
      return new DriverUnknownHandleError(text(details, 'handle', wire.message));
    case 'ERR_DRIVER_UNKNOWN_STREAM':
      return new DriverUnknownStreamError(text(details, 'stream', wire.message));
    default:
      return new DriverRemoteError(wire.code, wire.message, details);
  }
}

// ---------------------------------------------------------------------------------------------
// Arguments

/** A string field of a request's args; a missing or mistyped one is a BadRequest naming it. */
export function stringArg(op: string, args: JsonObject, key: string): string {
  const value = args[key];
  if (typeof value !== 'string') {
    throw new DriverBadRequestError(
      `${op}: "args.${key}" must be a string, got ${JSON.stringify(value ?? null)}`,
    );
  }
  return value;
}

/** An array field of a request's args (absent: empty when `optional`). */
export function arrayArg(op: string, args: JsonObject, key: string, optional = false): JsonValue[] {
  const value = args[key];
  if (value === undefined && optional) return [];
  if (!Array.isArray(value)) {
    throw new DriverBadRequestError(
      `${op}: "args.${key}" must be an array, got ${JSON.stringify(value ?? null)}`,
    );
  }
  return value;
}

/** The `{"handle"}` a `*.create` answers. */
export function parseHandle(op: string, result: JsonValue): string {
  if (isObject(result) && typeof result.handle === 'string' && result.handle !== '') return result.handle;
  throw new DriverBadAnswerError(`${op} must answer {"handle": string}, got ${JSON.stringify(result)}`);
}
