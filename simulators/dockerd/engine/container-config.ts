import { DockerdInvalidParameterError, DockerdSystemError } from '../dockerd-errors.js';
import { goJsonTypeName } from '../decode-go-json.js';

/** A JSON object in Go field order (insertion order is what JSON.stringify writes). */
export type JsonObject = Record<string, unknown>;

/**
 * container.Config of API 1.41 in Go field order; `undefined` marks an `omitempty` field that is
 * left out. The same shape serves images (ContainerConfig, Config).
 */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: JsonObject | undefined;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Healthcheck?: JsonObject | undefined;
  ArgsEscaped?: boolean | undefined;
  Image: string;
  Volumes: JsonObject | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean | undefined;
  MacAddress?: string | undefined;
  OnBuild: string[] | null;
  Labels: Record<string, string> | null;
  StopSignal?: string | undefined;
  StopTimeout?: number | undefined;
  Shell?: string[] | undefined;
}

export function emptyConfig(): ContainerConfig {
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: null,
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
  };
}

/** The JSON of a Config: Go order, omitempty fields left out when empty. */
export function renderConfig(config: ContainerConfig): JsonObject {
  const out: JsonObject = {};
  const omitEmpty = (value: unknown): boolean =>
    value === undefined ||
    value === null ||
    value === false ||
    value === '' ||
    value === 0 ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && Object.keys(value).length === 0);
  const omittable = new Set([
    'ExposedPorts',
    'Healthcheck',
    'ArgsEscaped',
    'NetworkDisabled',
    'MacAddress',
    'StopSignal',
    'Shell',
  ]);
  for (const key of CONFIG_KEYS) {
    const value = config[key];
    if (key === 'StopTimeout') {
      if (value !== undefined) out[key] = value;
      continue;
    }
    if (omittable.has(key) && omitEmpty(value)) continue;
    out[key] = value === undefined ? null : cloneJson(value);
  }
  return out;
}

const CONFIG_KEYS: readonly (keyof ContainerConfig)[] = [
  'Hostname',
  'Domainname',
  'User',
  'AttachStdin',
  'AttachStdout',
  'AttachStderr',
  'ExposedPorts',
  'Tty',
  'OpenStdin',
  'StdinOnce',
  'Env',
  'Cmd',
  'Healthcheck',
  'ArgsEscaped',
  'Image',
  'Volumes',
  'WorkingDir',
  'Entrypoint',
  'NetworkDisabled',
  'MacAddress',
  'OnBuild',
  'Labels',
  'StopSignal',
  'StopTimeout',
  'Shell',
];

export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function cloneConfig(config: ContainerConfig): ContainerConfig {
  return cloneJson(config);
}

type FieldKind = 'string' | 'bool' | 'strings' | 'strslice' | 'map' | 'labels' | 'int' | 'any';
const FIELD_KINDS: Readonly<Record<keyof ContainerConfig, FieldKind>> = {
  Hostname: 'string',
  Domainname: 'string',
  User: 'string',
  AttachStdin: 'bool',
  AttachStdout: 'bool',
  AttachStderr: 'bool',
  ExposedPorts: 'map',
  Tty: 'bool',
  OpenStdin: 'bool',
  StdinOnce: 'bool',
  Env: 'strings',
  Cmd: 'strslice',
  Healthcheck: 'any',
  ArgsEscaped: 'bool',
  Image: 'string',
  Volumes: 'map',
  WorkingDir: 'string',
  Entrypoint: 'strslice',
  NetworkDisabled: 'bool',
  MacAddress: 'string',
  OnBuild: 'strings',
  Labels: 'labels',
  StopSignal: 'string',
  StopTimeout: 'int',
  Shell: 'strslice',
};
const GO_TYPES: Readonly<Record<FieldKind, string>> = {
  string: 'string',
  bool: 'bool',
  strings: '[]string',
  strslice: 'strslice.StrSlice',
  map: 'map[string]struct {}',
  labels: 'map[string]string',
  int: 'int',
  any: 'container.HealthConfig',
};

function unmarshalError(value: unknown, field: string, kind: FieldKind, wrapper: string): DockerdSystemError {
  return new DockerdSystemError(
    `json: cannot unmarshal ${goJsonTypeName(value)} into Go struct field ${wrapper}.${field} of type ${GO_TYPES[kind]}`,
  );
}

function checkField(key: string, kind: FieldKind, value: unknown, wrapper: string): unknown {
  if (value === null) return kind === 'string' ? '' : kind === 'bool' ? false : null;
  const isStrings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((item) => typeof item === 'string');
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw unmarshalError(value, key, kind, wrapper);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw unmarshalError(value, key, kind, wrapper);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value))
        throw unmarshalError(value, key, kind, wrapper);
      return value;
    case 'strings':
      if (!isStrings(value)) throw unmarshalError(value, key, kind, wrapper);
      return [...value];
    case 'strslice':
      // strslice.StrSlice: a JSON string is a one-element list.
      if (typeof value === 'string') return [value];
      if (!isStrings(value)) throw unmarshalError(value, key, kind, wrapper);
      return [...value];
    case 'map':
    case 'any':
      if (typeof value !== 'object' || Array.isArray(value)) throw unmarshalError(value, key, kind, wrapper);
      return cloneJson(value);
    case 'labels':
      if (
        typeof value !== 'object' ||
        Array.isArray(value) ||
        !Object.values(value).every((v) => typeof v === 'string')
      ) {
        throw unmarshalError(value, key, kind, wrapper);
      }
      return { ...(value as Record<string, string>) };
  }
}

/**
 * The Config fields of a decoded body (create: the body itself; commit: the body), typed as Go
 * would unmarshal them; undefined when the body holds no Config field at all (Go leaves the
 * embedded *Config nil: "Config cannot be empty").
 */
export function parseConfigFields(
  body: JsonObject,
  wrapper = 'ContainerConfigWrapper',
): ContainerConfig | undefined {
  let seen = false;
  const config = emptyConfig();
  for (const [key, value] of Object.entries(body)) {
    const kind = (FIELD_KINDS as Record<string, FieldKind | undefined>)[key];
    if (kind === undefined) continue;
    seen = true;
    (config as unknown as Record<string, unknown>)[key] = checkField(key, kind, value, wrapper);
  }
  return seen ? config : undefined;
}

/** daemon.merge: the image's config fills what the container's leaves empty. */
export function mergeImageConfig(user: ContainerConfig, image: ContainerConfig): void {
  if (user.User === '') user.User = image.User;
  if (!user.ExposedPorts || Object.keys(user.ExposedPorts).length === 0)
    user.ExposedPorts = cloneJson(image.ExposedPorts);
  else for (const port of Object.keys(image.ExposedPorts ?? {})) user.ExposedPorts[port] ??= {};
  if (!user.Env || user.Env.length === 0) user.Env = cloneJson(image.Env);
  else {
    for (const imageEnv of image.Env ?? []) {
      const key = imageEnv.split('=')[0];
      if (!user.Env.some((entry) => entry.split('=')[0] === key)) user.Env.push(imageEnv);
    }
  }
  user.Labels ??= {};
  for (const [key, value] of Object.entries(image.Labels ?? {}))
    if (!(key in user.Labels)) user.Labels[key] = value;
  if (!user.Entrypoint || user.Entrypoint.length === 0) {
    if (!user.Cmd || user.Cmd.length === 0) {
      user.Cmd = cloneJson(image.Cmd);
      user.ArgsEscaped = image.ArgsEscaped;
    }
    if (user.Entrypoint === null) user.Entrypoint = cloneJson(image.Entrypoint);
  }
  if (user.Healthcheck === undefined && image.Healthcheck !== undefined)
    user.Healthcheck = cloneJson(image.Healthcheck);
  if (user.WorkingDir === '') user.WorkingDir = image.WorkingDir;
  if (!user.Volumes || Object.keys(user.Volumes).length === 0) user.Volumes = cloneJson(image.Volumes);
  else Object.assign(user.Volumes, image.Volumes ?? {});
  if (!user.StopSignal) user.StopSignal = image.StopSignal;
}

/** The docker `commit --change` instructions dockerd accepts, applied to a Config. */
export function applyChanges(config: ContainerConfig, changes: readonly string[]): void {
  const allowed = new Set([
    'cmd',
    'entrypoint',
    'env',
    'expose',
    'label',
    'onbuild',
    'user',
    'volume',
    'workdir',
    'stopsignal',
    'healthcheck',
    'shell',
  ]);
  for (const change of changes) {
    const trimmed = change.trim();
    if (trimmed === '') continue;
    const space = trimmed.search(/\s/);
    const instruction = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
    const rest = space < 0 ? '' : trimmed.slice(space).trim();
    if (!allowed.has(instruction))
      throw new DockerdInvalidParameterError(`${instruction} is not a valid change command`);
    switch (instruction) {
      case 'env':
        for (const [key, value] of keyValues(rest, 'ENV')) {
          const env = (config.Env ??= []);
          const index = env.findIndex((entry) => entry.split('=')[0] === key);
          if (index >= 0) env[index] = `${key}=${value}`;
          else env.push(`${key}=${value}`);
        }
        break;
      case 'label':
        config.Labels ??= {};
        for (const [key, value] of keyValues(rest, 'LABEL')) config.Labels[key] = value;
        break;
      case 'cmd':
        config.Cmd = commandForm(rest);
        break;
      case 'entrypoint':
        config.Entrypoint = commandForm(rest);
        config.Cmd = null;
        break;
      case 'workdir':
        config.WorkingDir = rest.startsWith('/') ? rest : `${config.WorkingDir.replace(/\/$/, '')}/${rest}`;
        break;
      case 'user':
        config.User = rest;
        break;
      case 'expose':
        config.ExposedPorts ??= {};
        for (const port of rest.split(/\s+/))
          config.ExposedPorts[port.includes('/') ? port : `${port}/tcp`] = {};
        break;
      case 'volume':
        config.Volumes ??= {};
        for (const volume of jsonOrWords(rest)) config.Volumes[volume] = {};
        break;
      case 'stopsignal':
        config.StopSignal = rest;
        break;
      case 'onbuild':
        config.OnBuild = [...(config.OnBuild ?? []), rest];
        break;
      case 'shell':
        config.Shell = jsonOrWords(rest);
        break;
      default:
        break;
    }
  }
}

function unquote(text: string): string {
  if (
    text.length >= 2 &&
    ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")))
  ) {
    return text.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return text.replace(/\\(.)/g, '$1');
}

/** `ENV A=1 B="two words"` or the legacy `ENV A one`. */
function keyValues(rest: string, instruction: string): [string, string][] {
  if (!rest.includes('=') || /^[^\s=]+\s/.test(rest)) {
    const space = rest.search(/\s/);
    if (space < 0) throw new DockerdInvalidParameterError(`${instruction} must have two arguments`);
    return [[rest.slice(0, space), rest.slice(space).trim()]];
  }
  const pairs: [string, string][] = [];
  const pattern = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s\\]|\\.)*)/g;
  for (let match = pattern.exec(rest); match; match = pattern.exec(rest))
    pairs.push([match[1] as string, unquote(match[2] as string)]);
  return pairs;
}

function jsonOrWords(rest: string): string[] {
  if (rest.startsWith('[')) {
    try {
      const parsed = JSON.parse(rest) as unknown;
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
    } catch {
      // Not JSON: shell form below.
    }
  }
  return rest.split(/\s+/).filter((word) => word !== '');
}

/** CMD ["a","b"] (exec form) or CMD a b (shell form: /bin/sh -c "a b"). */
function commandForm(rest: string): string[] {
  if (rest.startsWith('[')) {
    try {
      const parsed = JSON.parse(rest) as unknown;
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
    } catch {
      // Not JSON: shell form below.
    }
  }
  return ['/bin/sh', '-c', rest];
}

/** Any value at `key` of a Config given as JSON (for ExposedPorts-style sets). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
