import { tempSocketPath } from '../vsock/index.js';
import {
  createSimulatedDockerd,
  type SimulatedDockerd,
  type SimulatedDockerdOptions,
} from './simulated-dockerd.js';
import { RawConnection, rawRequest, type RawResponse } from './raw-connection.test-helper.js';

export interface RequestOptions {
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string | Buffer;
  /** A JSON body (Content-Type application/json). */
  readonly json?: unknown;
}

/** A simulated dockerd on a temp unix socket, with request helpers for tests. */
export interface TestDockerd extends AsyncDisposable {
  readonly sim: SimulatedDockerd;
  readonly path: string;
  request(method: string, target: string, options?: RequestOptions): Promise<RawResponse>;
  /** POST /v1.41/containers/create; returns the ID (fails the test on another status). */
  create(body: Record<string, unknown>, name?: string): Promise<string>;
  /** POST /v1.41/containers/{id}/exec; returns the exec ID. */
  exec(container: string, body: Record<string, unknown>): Promise<string>;
  connect(): Promise<RawConnection>;
  close(): Promise<void>;
}

function options(options: RequestOptions): {
  headers: (readonly [string, string])[];
  body?: string | Buffer;
} {
  const headers = [...(options.headers ?? [])];
  if (options.json !== undefined) {
    headers.push(['Content-Type', 'application/json']);
    return { headers, body: JSON.stringify(options.json) };
  }
  return options.body === undefined ? { headers } : { headers, body: options.body };
}

export async function startTestDockerd(simOptions: SimulatedDockerdOptions = {}): Promise<TestDockerd> {
  const errors: unknown[] = [];
  const sim = createSimulatedDockerd({ name: 'test', onError: (error) => errors.push(error), ...simOptions });
  const path = await tempSocketPath('sim-dockerd');
  await sim.listen(`unix://${path}`);
  const request = (method: string, target: string, opts: RequestOptions = {}): Promise<RawResponse> =>
    rawRequest(path, method, target, options(opts));
  const close = async (): Promise<void> => {
    await sim.close();
    if (errors.length > 0) throw new Error(`the simulator reported errors: ${errors.map(String).join('; ')}`);
  };
  return {
    sim,
    path,
    request,
    async create(body, name) {
      const query = name === undefined ? '' : `?name=${encodeURIComponent(name)}`;
      const response = await request('POST', `/v1.41/containers/create${query}`, { json: body });
      if (response.status !== 201) throw new Error(`create answered ${response.status}: ${response.text}`);
      return response.json<{ Id: string }>().Id;
    },
    async exec(container, body) {
      const response = await request('POST', `/v1.41/containers/${container}/exec`, { json: body });
      if (response.status !== 201)
        throw new Error(`exec create answered ${response.status}: ${response.text}`);
      return response.json<{ Id: string }>().Id;
    },
    connect: () => RawConnection.open(path),
    close,
    [Symbol.asyncDispose]: close,
  };
}
