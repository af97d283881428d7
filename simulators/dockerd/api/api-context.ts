import { Buffer } from 'node:buffer';
import { encodeDockerError } from '../../../protocol/docker-error.js';
import { decodeGoJson } from '../decode-go-json.js';
import { DockerdError, DockerdInvalidParameterError, DockerdSystemError } from '../dockerd-errors.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import type { HttpRequest } from '../http/serve-connection.js';
import type { ResponseWriter } from '../http/response-writer.js';
import { GoForm } from './go-form.js';

/** What the API answers with about itself (DKR-1/6/7). */
export interface DaemonIdentity {
  readonly name: string;
  readonly engineVersion: string;
  readonly maxApiVersion: string;
  readonly minApiVersion: string;
  readonly os: string;
  readonly architecture: string;
  readonly experimental: boolean;
  readonly execReadyTimeoutMs: number;
  readonly pullError: (image: string) => string;
}

/** Go's JSON encoder with SetEscapeHTML(false): JSON.stringify plus the U+2028/2029 escapes. */
export function encodeGoJson(value: unknown): string {
  return `${JSON.stringify(value).replace(/[\u2028\u2029]/g, (char) => (char === '\u2028' ? '\\u2028' : '\\u2029'))}\n`;
}

/** One request as a handler of the API sees it (a gorilla/mux handler with its vars). */
export class ApiContext {
  /** The version from the path prefix, or "" (the daemon's default). */
  readonly pathVersion: string;
  #form: GoForm | undefined;

  constructor(
    readonly engine: DockerEngine,
    readonly identity: DaemonIdentity,
    readonly request: HttpRequest,
    readonly response: ResponseWriter,
    readonly vars: Readonly<Record<string, string>>,
    readonly rawQuery: string,
    pathVersion: string,
  ) {
    this.pathVersion = pathVersion;
  }

  /** The API version of this request (the prefix, else the daemon's maximum). */
  get apiVersion(): string {
    return this.pathVersion === '' ? this.identity.maxApiVersion : this.pathVersion;
  }

  /**
   * httputils.ParseForm: the query, plus a urlencoded body for POST/PUT/PATCH (which is then
   * consumed, as net/http does). A malformed query is a 400.
   */
  async form(): Promise<GoForm> {
    if (!this.#form) {
      const method = this.request.method;
      const type = (this.request.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      let bodyForm = '';
      if (
        (method === 'POST' || method === 'PUT' || method === 'PATCH') &&
        type === 'application/x-www-form-urlencoded'
      ) {
        bodyForm = (await this.request.body.readAll(10 * 1024 * 1024)).toString('latin1');
      }
      this.#form = new GoForm(bodyForm, this.rawQuery);
    }
    if (this.#form.error) throw this.#form.error;
    return this.#form;
  }

  /** httputils.CheckForJSON: a body needs Content-Type application/json. */
  checkForJson(): void {
    const type = this.request.header('content-type') ?? '';
    if (type === '' && (this.request.contentLength === 0 || !this.request.body.present)) return;
    const media = type.split(';')[0]?.trim().toLowerCase();
    if (media === 'application/json') return;
    throw new DockerdInvalidParameterError(`Content-Type specified (${type}) must be 'application/json'`);
  }

  /** json.NewDecoder(r.Body).Decode: the first JSON value, or Go's error text. */
  async decodeJson(): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
    const body = await this.request.body.readAll();
    return decodeGoJson(body);
  }

  /** httputils.WriteJSON: Content-Type application/json, the status, the value and "\n". */
  async json(status: number, value: unknown): Promise<void> {
    this.response.header.set('Content-Type', 'application/json');
    this.response.writeHead(status);
    await this.response.write(encodeGoJson(value));
  }

  /** An empty answer with a status (204, 201, 200). */
  status(status: number): void {
    this.response.writeHead(status);
  }

  /** MakeErrorHandler (DKR-3): JSON for API > 1.23 (or no version), plain text before that. */
  async error(error: unknown): Promise<void> {
    const status = error instanceof DockerdError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    if (this.pathVersion === '' || compareVersions(this.pathVersion, '1.23') > 0) {
      this.response.header.set('Content-Type', 'application/json');
      this.response.writeHead(status);
      if (status !== 304) await this.response.write(encodeDockerError(message));
      return;
    }
    // http.Error.
    this.response.header.set('Content-Type', 'text/plain; charset=utf-8');
    this.response.header.set('X-Content-Type-Options', 'nosniff');
    this.response.writeHead(status);
    await this.response.write(Buffer.from(`${message}\n`, 'utf8'));
  }
}

/** versions.Compare: dotted numbers, missing parts are 0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = Number.parseInt(left[i] ?? '0', 10) || 0;
    const y = Number.parseInt(right[i] ?? '0', 10) || 0;
    if (x !== y) return x > y ? 1 : -1;
  }
  return 0;
}

/** A plain Go error (500) built from a message. */
export function systemError(message: string): DockerdSystemError {
  return new DockerdSystemError(message);
}
