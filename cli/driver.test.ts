import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeArgs, type JsonObject, type JsonValue } from '../protocol/driver/driver-protocol.js';
import type { Runtime } from '../protocol/runtime.js';
import { RuntimeNotFoundError } from '../protocol/runtime-errors.js';
import { FakeImageInspector, MockRuntime } from '../simulators/runtimes/index.js';
import { DriverClosedError } from '../protocol/driver/driver-errors.js';
import { DriverPeer } from '../protocol/driver/driver-peer.js';
import { serveDriver } from '../reference/driver/index.js';

const BERTH = join(import.meta.dirname, '..', 'bin', 'berth.js');

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: JsonValue;
  readonly error?: { code: string; message: string; details?: JsonObject };
}

/** The reference driver as a process, fed whole lines; resolves with what it printed and its exit code. */
function runDriverProcess(
  kind: string,
  lines: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BERTH, 'driver', kind], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  });
}

const repliesOf = (stdout: string): Map<number, Reply> =>
  new Map(
    stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Reply)
      .map((reply) => [reply.id, reply]),
  );

describe('berth driver registry (a process)', { timeout: 30_000 }, () => {
  it('serves the reference registry, answers bad requests with typed errors and exits 0 on EOF', async () => {
    const run = await runDriverProcess('registry', [
      '{"id":1,"op":"driver.hello","args":{"protocol":1,"client":"test"}}',
      '{"id":2,"op":"registry.create"}',
      '{"id":3,"op":"registry.record","args":{"handle":"r1","id":"/web","role":"native"}}',
      '{"id":4,"op":"registry.lookup","args":{"handle":"r1","id":"web"}}',
      'this line is not JSON',
      '{"id":5,"op":"registry.forget","args":{"handle":"r1","id":"nothing"}}',
      '{"id":6,"op":"registry.record","args":{"handle":"r1","id":7,"role":"native"}}',
      '{"id":7,"op":"registry.lookup","args":{"handle":"r2","id":"web"}}',
      '{"id":8,"op":"dispatch.create","args":{"runtimes":["primary"]}}',
      '{"id":9,"op":"registry.dispose","args":{"handle":"r1"}}',
      '{"id":10,"op":"registry.lookup","args":{"handle":"r1","id":"web"}}',
    ]);
    expect(run.code).toBe(0);
    const replies = repliesOf(run.stdout); // every stdout line is a protocol message
    expect(replies.size).toBe(10);
    expect(replies.get(1)?.result).toMatchObject({
      name: 'berth-reference-registry',
      protocol: 1,
      components: ['registry'],
    });
    expect(replies.get(2)?.result).toEqual({ handle: 'r1' });
    expect(replies.get(3)).toEqual({ id: 3, ok: true, result: null });
    expect(replies.get(4)?.result).toEqual({ kind: 'found', role: 'native' });
    expect(replies.get(5)?.result).toBeNull();
    expect(replies.get(6)?.error?.code).toBe('ERR_DRIVER_BAD_REQUEST');
    expect(replies.get(6)?.error?.message).toContain('"args.id" must be a string');
    expect(replies.get(7)?.error).toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN_HANDLE',
      details: { handle: 'r2' },
    });
    expect(replies.get(8)?.error?.code).toBe('ERR_DRIVER_UNKNOWN_OP');
    expect(replies.get(9)?.result).toBeNull();
    expect(replies.get(10)?.error?.code).toBe('ERR_DRIVER_UNKNOWN_HANDLE');
    expect(run.stderr).toContain('this line is not JSON');
  });
});

/** The dispatch driver in-process, with a peer playing the suite. */
function dispatchRig(): { suite: DriverPeer; served: Promise<boolean>; toDriver: PassThrough } {
  const toDriver = new PassThrough();
  const toSuite = new PassThrough();
  const served = serveDriver('dispatch', { input: toDriver, output: toSuite });
  const suite = new DriverPeer({ input: toSuite, output: toDriver });
  rigs.push({ suite, toDriver });
  return { suite, served, toDriver };
}

const rigs: { suite: DriverPeer; toDriver: PassThrough }[] = [];

afterEach(() => {
  for (const { suite, toDriver } of rigs.splice(0)) {
    toDriver.end();
    suite.close(new DriverClosedError('test over'));
  }
});

/** Serves `runtime.call` and `inspector.inspect` from the given runtimes and inspectors (one composite). */
function serveCallbacks(
  suite: DriverPeer,
  runtimes: Record<string, Runtime>,
  inspectors: Record<string, FakeImageInspector<unknown>> = {},
): void {
  suite.handle('runtime.call', (args) => {
    const runtime = runtimes[args.runtime as string] as unknown as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    const callArgs = (args.args as JsonValue[]).map((arg) => suite.decode(arg));
    return runtime[args.method as string]!(...callArgs);
  });
  suite.handle('inspector.inspect', (args) =>
    inspectors[args.inspector as string]!.inspect(args.image as string),
  );
}

describe('berth driver dispatch (in-process)', () => {
  it('runs the reference composite over the suite runtimes, calling back for every runtime call', async () => {
    const { suite } = dispatchRig();
    const journal: MockRuntime['calls'] = [];
    const primary = new MockRuntime('primary', journal);
    const delegate = new MockRuntime('delegate', journal);
    const os = new FakeImageInspector({ caches: [{ 'alpine:latest': 'linux' }] });
    serveCallbacks(suite, { primary, delegate }, { os });

    const { handle } = (await suite.request('dispatch.create', {
      runtimes: ['primary', 'delegate'],
      inspectors: ['os'],
    })) as { handle: string };
    const call = async (method: string, ...args: unknown[]): Promise<unknown> =>
      suite.decode(await suite.request('dispatch.call', { handle, method, args: encodeArgs(args, suite) }));

    const id = { service: 'web', replica: 1 };
    await call('pullImage', 'alpine');
    await call('createContainer', id, { image: 'alpine', labels: {} });
    await call('killContainer', id);
    delegate.script('archiveGet', { value: new Uint8Array([1, 2, 3]) });
    expect(await call('archiveGet', id, '/etc')).toEqual(new Uint8Array([1, 2, 3]));
    expect(os.asked).toEqual(['alpine']);
    expect(journal.map((c) => `${c.runtime}.${c.method}`)).toEqual([
      'primary.pullImage',
      'delegate.pullImage',
      'delegate.createContainer',
      'delegate.killContainer',
      'delegate.archiveGet',
    ]);
    expect(delegate.callsOf('killContainer')[0]?.args).toEqual([id]); // the omitted signal stays omitted
  });

  it('hands typed runtime errors back with their fields, in both directions', async () => {
    const { suite } = dispatchRig();
    const primary = new MockRuntime('primary');
    serveCallbacks(suite, { primary });
    const { handle } = (await suite.request('dispatch.create', { runtimes: ['primary'] })) as {
      handle: string;
    };
    const id = { service: 'ghost', replica: 1 };
    await expect(
      suite.request('dispatch.call', { handle, method: 'startContainer', args: [id] }),
    ).rejects.toMatchObject({
      code: 'ERR_RUNTIME_NOT_FOUND',
      container: 'ghost-rep-1',
    });
    await suite.request('dispatch.call', {
      handle,
      method: 'createContainer',
      args: [id, { image: 'x', labels: {} }],
    });
    primary.script('removeContainer', { error: new RuntimeNotFoundError('ghost-rep-1', 'gone') });
    const error = await suite
      .request('dispatch.call', { handle, method: 'removeContainer', args: [id] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeNotFoundError);
    expect(error).toMatchObject({ reason: 'gone' });
  });

  it('streams a native log stream through the composite from the suite and back', async () => {
    const { suite } = dispatchRig();
    const primary = new MockRuntime('primary');
    serveCallbacks(suite, { primary });
    const { handle } = (await suite.request('dispatch.create', { runtimes: ['primary'] })) as {
      handle: string;
    };
    const id = { service: 'web', replica: 1 };
    await suite.request('dispatch.call', {
      handle,
      method: 'createContainer',
      args: [id, { image: 'x', labels: {} }],
    });
    async function* native(): AsyncGenerator<unknown> {
      yield { stream: 'stdout', data: 'a\n' };
      yield { stream: 'stderr', data: 'b\n' };
    }
    primary.script('logsStream', { value: native() as AsyncIterable<never> });
    const result = await suite.request('dispatch.call', { handle, method: 'logsStream', args: [id, {}] });
    expect(result).toEqual({ $stream: 'd1' });
    const items: unknown[] = [];
    for await (const item of suite.decode(result) as AsyncIterable<unknown>) items.push(item);
    expect(items).toEqual([
      { stream: 'stdout', data: 'a\n' },
      { stream: 'stderr', data: 'b\n' },
    ]);
  });

  it('refuses a composite without a primary, unknown slots and methods, and disposed handles', async () => {
    const { suite } = dispatchRig();
    await expect(suite.request('dispatch.create', { runtimes: ['delegate'] })).rejects.toMatchObject({
      code: 'ERR_DRIVER_BAD_REQUEST',
    });
    await expect(suite.request('dispatch.create', { runtimes: ['primary', 'gpu'] })).rejects.toMatchObject({
      code: 'ERR_DRIVER_BAD_REQUEST',
    });
    const { handle } = (await suite.request('dispatch.create', { runtimes: ['primary'] })) as {
      handle: string;
    };
    await expect(
      suite.request('dispatch.call', { handle, method: 'teleport', args: [] }),
    ).rejects.toMatchObject({
      code: 'ERR_DRIVER_BAD_REQUEST',
    });
    await expect(suite.request('dispatch.dispose', { handle })).resolves.toBeNull();
    await expect(
      suite.request('dispatch.call', { handle, method: 'listImages', args: [] }),
    ).rejects.toMatchObject({
      code: 'ERR_DRIVER_UNKNOWN_HANDLE',
    });
  });

  it('ends cleanly on end of input', async () => {
    const { served, toDriver } = dispatchRig();
    toDriver.end();
    await expect(served).resolves.toBe(true);
  });
});
