import { Buffer } from 'node:buffer';
import { encodeFrame } from '../../../protocol/stdcopy-encoder.js';
import { goJsonTypeName } from '../decode-go-json.js';
import { DockerdInvalidParameterError } from '../dockerd-errors.js';
import { inspectExec } from '../engine/container-views.js';
import type { ExecConfig } from '../engine/sim-exec.js';
import { createTtyStdin } from '../engine/tty-stdin.js';
import { InputPipe } from '../program/input-pipe.js';
import { compareVersions, type ApiContext } from './api-context.js';
import type { RouteHandlers } from './api-route.js';
import { goAtoiParameter } from './go-form.js';
import { closeHijacked, createHijackSink, pumpStdin } from './stream-sinks.js';

type FieldType = 'bool' | 'string' | 'strings';

/** json.Unmarshal into a struct: type mismatches are errors naming the Go field. */
function field(body: Record<string, unknown>, key: string, type: FieldType, struct: string): unknown {
  const value = body[key];
  if (value === undefined || value === null) return type === 'bool' ? false : type === 'string' ? '' : [];
  const ok =
    (type === 'bool' && typeof value === 'boolean') ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'strings' && Array.isArray(value) && value.every((item) => typeof item === 'string'));
  if (!ok) {
    const goType = type === 'strings' ? '[]string' : type;
    throw new DockerdInvalidParameterError(
      `json: cannot unmarshal ${goJsonTypeName(value)} into Go struct field ${struct}.${key} of type ${goType}`,
    );
  }
  return value;
}

async function decodeObject(ctx: ApiContext, onEof: string): Promise<Record<string, unknown>> {
  const decoded = await ctx.decodeJson();
  if (!decoded.ok)
    throw new DockerdInvalidParameterError(decoded.message === 'EOF' ? onEof : decoded.message);
  const value = decoded.value;
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DockerdInvalidParameterError(
      `json: cannot unmarshal ${goJsonTypeName(value)} into Go value of type types.ExecConfig`,
    );
  }
  return value as Record<string, unknown>;
}

/** DKR-20: POST /containers/{name}/exec. */
async function create(ctx: ApiContext): Promise<void> {
  await ctx.form();
  ctx.checkForJson();
  const body = await decodeObject(ctx, 'got EOF while reading request body');
  const struct = 'ExecConfig';
  const config: ExecConfig = {
    attachStdin: field(body, 'AttachStdin', 'bool', struct) as boolean,
    attachStdout: field(body, 'AttachStdout', 'bool', struct) as boolean,
    attachStderr: field(body, 'AttachStderr', 'bool', struct) as boolean,
    tty: field(body, 'Tty', 'bool', struct) as boolean,
    cmd: field(body, 'Cmd', 'strings', struct) as string[],
    env: field(body, 'Env', 'strings', struct) as string[],
    workingDir: field(body, 'WorkingDir', 'string', struct) as string,
    user: field(body, 'User', 'string', struct) as string,
    privileged: field(body, 'Privileged', 'bool', struct) as boolean,
    detachKeys: field(body, 'DetachKeys', 'string', struct) as string,
  };
  if (config.cmd.length === 0) throw new DockerdInvalidParameterError('No exec command specified');
  const exec = ctx.engine.createExec(ctx.vars.name ?? '', config);
  await ctx.json(201, { Id: exec.id });
}

/**
 * DKR-21: POST /exec/{id}/start. Errors before the hijack are ordinary JSON answers; Detach
 * answers 200 at once; otherwise "101 UPGRADED" (with Upgrade) or "200 OK", raw-stream, plus the
 * headers set so far, then stdcopy frames (or raw bytes when the start body says Tty) until the
 * process exits. "Already run" and runc errors after the hijack go inside the stream + CRLF.
 */
async function start(ctx: ApiContext): Promise<void> {
  await ctx.form();
  const body = await decodeObject(ctx, 'EOF');
  const detach = field(body, 'Detach', 'bool', 'ExecStartCheck') as boolean;
  const tty = field(body, 'Tty', 'bool', 'ExecStartCheck') as boolean;
  const id = ctx.vars.name ?? '';
  const exec = ctx.engine.checkExecStartable(id);
  if (detach) {
    void ctx.engine.startExec(id, { stdin: undefined, sink: undefined });
    ctx.status(200);
    return;
  }
  const upgrade = ctx.request.header('upgrade') !== undefined;
  const hijacked = ctx.request.hijack();
  const contentType =
    !tty && compareVersions(ctx.apiVersion, '1.42') >= 0
      ? 'application/vnd.docker.multiplexed-stream'
      : 'application/vnd.docker.raw-stream';
  const first = upgrade
    ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n`
    : 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n';
  try {
    await hijacked.send(Buffer.from(`${first}${ctx.response.header.lines()}\r\n`, 'latin1'));
  } catch {
    closeHijacked(hijacked);
    return;
  }
  const multiplexed = !tty;
  const sink = createHijackSink(hijacked, { multiplexed, stdout: true, stderr: true });
  hijacked.socket.once('close', () => sink.end());
  const stdin = exec.config.attachStdin ? new InputPipe() : undefined;
  const echoSignal = new AbortController().signal;
  const target =
    stdin && exec.config.tty
      ? createTtyStdin(
          stdin,
          (data) =>
            void exec.hub
              ?.output('stdout', echoSignal)
              .write(data)
              .catch(() => undefined),
        )
      : stdin;
  const pump = target ? pumpStdin(hijacked, target) : undefined;
  let exit: Promise<number>;
  try {
    exit = ctx.engine.startExec(id, { stdin, sink });
  } catch (error) {
    pump?.stop();
    const text = Buffer.from(`${(error as Error).message}\r\n`, 'utf8');
    await hijacked.send(multiplexed ? encodeFrame('stdout', text) : text).catch(() => undefined);
    closeHijacked(hijacked);
    return;
  }
  if (pump && stdin) {
    void pump.done.then(() => {
      // CloseStdin: the client's FIN ends the process's stdin; with a TTY it ends the stream.
      if (exec.config.tty) sink.end();
      else stdin.end();
    });
  }
  await Promise.race([exit, sink.ended]);
  pump?.stop();
  closeHijacked(hijacked);
}

/** DKR-22: GET /exec/{id}/json. */
async function inspect(ctx: ApiContext): Promise<void> {
  await ctx.form();
  await ctx.json(200, inspectExec(ctx.engine.getExec(ctx.vars.id ?? '')));
}

/** DKR-22: POST /exec/{id}/resize. */
async function resize(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const height = goAtoiParameter(form.get('h'));
  const width = goAtoiParameter(form.get('w'));
  await ctx.engine.resizeExec(ctx.vars.name ?? '', height, width, ctx.identity.execReadyTimeoutMs);
  ctx.status(200);
}

/** The handlers of exec create, start, inspect and resize; route-table.ts gives each its route. */
export const execHandlers = { inspect, create, start, resize } satisfies RouteHandlers;
