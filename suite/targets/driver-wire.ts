/**
 * The suite's side of the driver protocol, written from docs/driver-protocol.md alone (§ numbers
 * below are its sections). The reference drivers speak the same protocol with protocol/driver/;
 * the two sides share no code, only JSON types, so a mistake in one shows up as a failure in the
 * other instead of hiding on both. This file: the names the document lists (operations, Runtime
 * methods, composite slots) and reading and writing single messages.
 */
import type { JsonObject, JsonValue } from '../../protocol/driver/driver-protocol.js';
import type { Runtime } from '../../protocol/runtime.js';
import type { DispatchRuntimes } from './dispatch-facet.js';
import { DriverBadAnswerError, DriverBadRequestError } from './driver-errors.js';

export type { JsonObject, JsonValue };

/** §4: the one protocol version there is. */
export const PROTOCOL_VERSION = 1;

/** §4: what a driver may serve; a hello's other component names are ignored. */
export const COMPONENTS = ['registry', 'dispatch'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Every operation of the protocol, grouped by the side that serves it. */
export const OPS = {
  /** §4-§7: the suite asks, the driver serves. */
  hello: 'driver.hello',
  registry: {
    create: 'registry.create',
    record: 'registry.record',
    addAlias: 'registry.addAlias',
    renameAlias: 'registry.renameAlias',
    lookup: 'registry.lookup',
    forget: 'registry.forget',
    dispose: 'registry.dispose',
  },
  dispatch: { create: 'dispatch.create', call: 'dispatch.call', dispose: 'dispatch.dispose' },
  /** §8: the driver asks, the suite serves. */
  callback: { runtime: 'runtime.call', inspect: 'inspector.inspect' },
  /** §9: whoever handed the stream out serves. */
  stream: { next: 'stream.next', cancel: 'stream.cancel' },
} as const;

/** §7: the Runtime methods a `dispatch.call` or `runtime.call` may name, and what each returns. */
export const RUNTIME_METHODS = {
  pullImage: 'value',
  listImages: 'value',
  removeImage: 'value',
  tagImage: 'value',
  pruneImages: 'value',
  createContainer: 'value',
  startContainer: 'value',
  stopContainer: 'value',
  removeContainer: 'value',
  containerState: 'value',
  exec: 'value',
  execWithOpts: 'value',
  containerLogs: 'value',
  logsStream: 'stream',
  containerStats: 'value',
  statsStream: 'stream',
  waitContainer: 'value',
  renameContainer: 'value',
  killContainer: 'value',
  pauseContainer: 'value',
  unpauseContainer: 'value',
  inspectContainer: 'value',
  listContainers: 'value',
  archiveGet: 'value',
  archivePut: 'value',
  commitContainer: 'value',
} as const satisfies Record<keyof Runtime, 'value' | 'stream'>;
export type RuntimeMethod = keyof typeof RUNTIME_METHODS;

export const isRuntimeMethod = (name: string): name is RuntimeMethod => Object.hasOwn(RUNTIME_METHODS, name);

/** §7: the runtime slots of `dispatch.create`, in the order the document lists them. */
export const SLOTS = [
  'primary',
  'delegate',
  'vz',
  'vzLinux',
] as const satisfies readonly (keyof DispatchRuntimes)[];
export type Slot = (typeof SLOTS)[number];

/** §7: the inspectors of `dispatch.create`, and where a clause's runtimes hold each. */
export const INSPECTORS = {
  os: 'osInspector',
  marker: 'markerInspector',
} as const satisfies Record<string, keyof DispatchRuntimes>;
export type InspectorName = keyof typeof INSPECTORS;

// ---------------------------------------------------------------------------------------------
// §3: one message

/** An error as it travels in an answer. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details?: JsonObject;
}

/** What one line from the driver turned out to be. */
export type LineVerdict =
  | { readonly kind: 'blank' }
  | { readonly kind: 'malformed'; readonly problem: string }
  | { readonly kind: 'request'; readonly id: number; readonly op: string; readonly args: JsonObject }
  | { readonly kind: 'result'; readonly id: number; readonly result: JsonValue }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError };

const isRecord = (value: unknown): value is Record<string, JsonValue> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** §2: a line of nothing but JSON white space is skipped. */
const BLANK_LINE = /^[ \t\r]*$/;

/**
 * Judges one line from the driver (its `\n` and a `\r` before it already removed): blank,
 * malformed (with the problem), a request of the driver's, or an answer to one of the suite's.
 */
export function readLine(text: string): LineVerdict {
  if (BLANK_LINE.test(text)) return { kind: 'blank' };
  const malformed = (problem: string): LineVerdict => ({ kind: 'malformed', problem });
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return malformed('not JSON');
  }
  if (!isRecord(message)) return malformed('not a JSON object');
  const { id } = message;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return malformed('"id" must be an integer from 0 to 2^53 - 1');
  }
  const asks = Object.hasOwn(message, 'op');
  const answers = Object.hasOwn(message, 'ok');
  if (asks && answers) return malformed('both "op" and "ok"');
  if (asks) {
    const { op, args = null } = message;
    if (typeof op !== 'string' || op.length === 0) return malformed('"op" must be a non-empty string');
    if (args !== null && !isRecord(args)) return malformed('"args" must be an object');
    return { kind: 'request', id, op, args: args ?? {} };
  }
  if (!answers) return malformed('neither a request ("op") nor an answer ("ok")');
  if (message.ok === true) return { kind: 'result', id, result: message.result ?? null };
  if (message.ok !== false) return malformed('"ok" must be true or false');
  const { error } = message;
  if (!isRecord(error)) return malformed('"error" must be an object when "ok" is false');
  const { code, message: said, details = null } = error;
  if (typeof code !== 'string' || code.length === 0)
    return malformed('"error.code" must be a non-empty string');
  if (typeof said !== 'string') return malformed('"error.message" must be a string');
  if (details !== null && !isRecord(details)) return malformed('"error.details" must be an object');
  return {
    kind: 'error',
    id,
    error: details === null ? { code, message: said } : { code, message: said, details },
  };
}

/** The line (without `\n`) of one of the suite's requests. */
export const requestLine = (id: number, op: string, args: JsonObject): string =>
  JSON.stringify({ id, op, args });

/** The line (without `\n`) of the suite's answer to a driver's request. */
export const answerLine = (id: number, outcome: { result: JsonValue } | { error: WireError }): string =>
  JSON.stringify(
    'error' in outcome ? { id, ok: false, error: outcome.error } : { id, ok: true, result: outcome.result },
  );

// ---------------------------------------------------------------------------------------------
// §4, §5: answers the suite checks

/** What a driver says about itself in its hello. */
export interface Hello {
  readonly name: string;
  readonly version: string;
  readonly protocol: number;
  readonly components: readonly Component[];
}

/** §4: checks a `driver.hello` result. */
export function readHello(result: JsonValue): Hello {
  if (!isRecord(result))
    throw new DriverBadAnswerError(`the hello answer must be an object, got ${JSON.stringify(result)}`);
  const { name, version, protocol, components } = result;
  if (typeof name !== 'string' || name === '')
    throw new DriverBadAnswerError('the hello answer has no "name"');
  if (typeof version !== 'string') throw new DriverBadAnswerError('the hello answer has no "version" string');
  if (protocol !== PROTOCOL_VERSION) {
    throw new DriverBadAnswerError(
      `the driver speaks protocol ${JSON.stringify(protocol ?? null)}, the suite speaks ${PROTOCOL_VERSION}`,
    );
  }
  if (!Array.isArray(components) || !components.every((entry) => typeof entry === 'string')) {
    throw new DriverBadAnswerError('the hello answer has no "components" array of strings');
  }
  return { name, version, protocol, components: COMPONENTS.filter((known) => components.includes(known)) };
}

/** §5: the handle a `*.create` answers. */
export function readHandle(op: string, result: JsonValue): string {
  const handle = isRecord(result) ? result.handle : undefined;
  if (typeof handle !== 'string' || handle === '') {
    throw new DriverBadAnswerError(
      `${op} must answer {"handle": non-empty string}, got ${JSON.stringify(result)}`,
    );
  }
  return handle;
}

// ---------------------------------------------------------------------------------------------
// §8, §9: the args of a driver's request

export interface ArgsReader {
  text(key: string): string;
  /** One of `choices`. */
  oneOf<T extends string>(key: string, choices: readonly T[]): T;
  /** An array; left out reads as empty. */
  list(key: string): JsonValue[];
}

/** Typed access to a driver request's `args`; a missing or mistyped field is a bad request naming it. */
export function readArgs(op: string, args: JsonObject): ArgsReader {
  const refuse = (key: string, wanted: string): never => {
    throw new DriverBadRequestError(
      `${op}: "args.${key}" must be ${wanted}, got ${JSON.stringify(args[key] ?? null)}`,
    );
  };
  return {
    text(key: string): string {
      const value = args[key];
      return typeof value === 'string' ? value : refuse(key, 'a string');
    },
    oneOf<T extends string>(key: string, choices: readonly T[]): T {
      const value = args[key];
      return choices.includes(value as T) ? (value as T) : refuse(key, `one of ${choices.join(', ')}`);
    },
    list(key: string): JsonValue[] {
      const value = args[key];
      if (value === undefined) return [];
      return Array.isArray(value) ? value : refuse(key, 'an array');
    },
  };
}
