import { clause } from '../harness/clause.js';
import { eventually } from '../support/poll.js';
import type { Exchange } from './engine-client.js';
import {
  CONTAINER_ID,
  decodeStdcopy,
  describeEngineKinds,
  ENGINE_TIMEOUT,
  expectError,
  expectHijackHead,
  framesOf,
  streamType,
  type Engine,
} from './engine-kinds.js';

interface ExecInspect {
  readonly ID: string;
  readonly Running: boolean;
  readonly ExitCode: number | null;
  readonly [key: string]: unknown;
}

/** Creates an exec in `container` (201 or a clause violation); resolves with its Id. */
async function createExec(engine: Engine, container: string, body: Record<string, unknown>): Promise<string> {
  const reply = await engine.expectStatus(
    {
      method: 'POST',
      path: `/containers/${container}/exec`,
      json: { AttachStdout: true, AttachStderr: true, ...body },
    },
    201,
  );
  return reply.json<{ Id: string }>().Id;
}

async function inspectExec(engine: Engine, id: string): Promise<ExecInspect> {
  return (await engine.expectStatus({ method: 'GET', path: `/exec/${id}/json` }, 200)).json<ExecInspect>();
}

/** Polls exec inspect until the process has exited; resolves with the inspect body. */
async function execExited(engine: Engine, id: string, timeoutMs = 10_000): Promise<ExecInspect> {
  return eventually(() => inspectExec(engine, id), {
    description: `exec ${id} to exit (exec inspect)`,
    accept: (body) => !body.Running && body.ExitCode !== null,
    timeoutMs,
    intervalMs: 50,
    failAs: 'violation',
  });
}

function startExec(engine: Engine, id: string, upgrade: boolean): Promise<Exchange> {
  return engine.client.open({
    method: 'POST',
    path: `/exec/${id}/start`,
    json: { Detach: false, Tty: false },
    headers: upgrade
      ? [
          ['Connection', 'Upgrade'],
          ['Upgrade', 'tcp'],
        ]
      : [],
  });
}

/** The file's running container to exec in (shared: starting one per clause costs seconds on a real daemon). */
async function box(engine: Engine): Promise<string> {
  return (await engine.sharedBox()).id;
}

describeEngineKinds('exec', ({ kind, get }) => {
  clause(
    'DKR-20',
    `creates an exec with 201 and a 64-hex Id (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const container = await box(engine);
      const reply = await engine.request({
        method: 'POST',
        path: `/containers/${container}/exec`,
        json: { AttachStdout: true, Cmd: ['true'] },
      });
      expect(reply.status, 'exec create').toBe(201);
      expect(reply.json<{ Id: string }>().Id, 'Id of the exec').toMatch(CONTAINER_ID);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-20',
    `refuses an empty command with 400, an unknown container with 404, a stopped or paused one with 409 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const container = await box(engine);
      const create = (target: string, body: Record<string, unknown>) =>
        engine.request({
          method: 'POST',
          path: `/containers/${target}/exec`,
          json: { AttachStdout: true, ...body },
        });
      expect(
        expectError(expect, await create(container, {}), 400, 'exec with no Cmd'),
        'the refusal',
      ).toMatch(/No exec command specified/);
      expectError(expect, await create(container, { Cmd: [] }), 400, 'exec with Cmd []');
      expectError(
        expect,
        await create(engine.session.name('missing'), { Cmd: ['true'] }),
        404,
        'exec in an unknown container',
      );
      const idle = engine.idle;
      expect(
        expectError(expect, await create(idle.id, { Cmd: ['true'] }), 409, 'exec in a created container'),
        'the refusal',
      ).toMatch(/is not running/i);
      // Its own container: pausing the shared one would break the clauses after this one if it failed.
      const paused = await engine.run(context, { cmd: ['sleep', '30'] });
      await engine.expectStatus({ method: 'POST', path: `/containers/${paused.id}/pause` }, 204);
      expect(
        expectError(expect, await create(paused.id, { Cmd: ['true'] }), 409, 'exec in a paused container'),
        'the refusal',
      ).toMatch(/is paused/i);
    },
    ENGINE_TIMEOUT,
  );

  for (const upgrade of [true, false]) {
    clause(
      'DKR-21',
      `starts an exec ${upgrade ? 'with Upgrade: 101' : 'without Upgrade: 200 raw-stream'}, frames its output and closes at exit (${kind})`,
      async (context) => {
        const { expect } = context;
        const engine = get(context);
        const container = await box(engine);
        const exec = await createExec(engine, container, {
          Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
        });
        const hijack = await startExec(engine, exec, upgrade);
        expectHijackHead(expect, hijack, upgrade, streamType(engine.client.apiVersion, false));
        hijack.halfClose();
        const frames = decodeStdcopy(
          await hijack.untilEnd('the end of the exec stream at exit'),
          'the exec stream',
        );
        expect(framesOf(frames, 'stdout'), 'stdout frames').toEqual(['out\n']);
        expect(framesOf(frames, 'stderr'), 'stderr frames').toEqual(['err\n']);
        expect((await execExited(engine, exec)).ExitCode, 'exit code of the exec').toBe(3);
      },
      ENGINE_TIMEOUT,
    );
  }

  clause(
    'DKR-21',
    `carries stdin to the exec and sends its output back (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const container = await box(engine);
      const exec = await createExec(engine, container, { AttachStdin: true, Cmd: ['cat'] });
      const hijack = await startExec(engine, exec, true);
      expectHijackHead(expect, hijack, true, streamType(engine.client.apiVersion, false));
      hijack.write('ping through exec\n');
      hijack.halfClose();
      const frames = decodeStdcopy(
        await hijack.untilEnd('the end of the exec after stdin closed'),
        'the exec stream',
      );
      expect(framesOf(frames, 'stdout').join(''), 'what cat echoed').toBe('ping through exec\n');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-21',
    `answers a detached start with 200 and an empty body, and the process runs (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const container = await box(engine);
      const exec = await createExec(engine, container, { Cmd: ['sh', '-c', 'exit 4'] });
      const reply = await engine.request({
        method: 'POST',
        path: `/exec/${exec}/start`,
        json: { Detach: true, Tty: false },
      });
      expect(reply.status, 'exec start with Detach').toBe(200);
      expect(reply.body.length, 'bytes of the detached start body').toBe(0);
      expect((await execExited(engine, exec)).ExitCode, 'exit code of the detached exec').toBe(4);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-21',
    `refuses an unknown exec and an exec ID prefix with 404, and a finished exec with 409 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const container = await box(engine);
      const exec = await createExec(engine, container, { Cmd: ['true'] });
      const start = (id: string, detach: boolean) =>
        engine.request({
          method: 'POST',
          path: `/exec/${id}/start`,
          json: { Detach: detach, Tty: false },
          headers: detach
            ? []
            : [
                ['Connection', 'Upgrade'],
                ['Upgrade', 'tcp'],
              ],
        });
      const missing = engine.session.name('missing');
      expect(
        expectError(expect, await start(missing, false), 404, 'start of an unknown exec'),
        'the refusal',
      ).toMatch(/No such exec instance/);
      expectError(
        expect,
        await start(exec.slice(0, 12), false),
        404,
        'start by a 12-character exec ID prefix',
      );
      expect((await start(exec, true)).status, 'the first (detached) start').toBe(200);
      await execExited(engine, exec);
      expect(expectError(expect, await start(exec, true), 409, 'a second start'), 'the refusal').toMatch(
        /already run/i,
      );
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-22',
    `inspects an exec with ExitCode null until it has exited, then its code (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const container = await box(engine);
      const exec = await createExec(engine, container, { Cmd: ['sh', '-c', 'exit 6'] });
      const before = await inspectExec(engine, exec);
      for (const key of [
        'ID',
        'Running',
        'ExitCode',
        'ProcessConfig',
        'OpenStdin',
        'OpenStdout',
        'OpenStderr',
        'CanRemove',
        'ContainerID',
        'DetachKeys',
        'Pid',
      ]) {
        expect(Object.keys(before), `exec inspect has ${key}`).toContain(key);
      }
      expect(before, 'an exec never started').toMatchObject({
        ID: exec,
        Running: false,
        ExitCode: null,
        ContainerID: container,
      });
      expect(before.ProcessConfig, 'ProcessConfig').toMatchObject({
        entrypoint: 'sh',
        arguments: ['-c', 'exit 6'],
        tty: false,
      });
      await engine.expectStatus(
        { method: 'POST', path: `/exec/${exec}/start`, json: { Detach: true, Tty: false } },
        200,
      );
      const after = await execExited(engine, exec);
      expect(after.ExitCode, 'ExitCode after exit').toBe(6);
      const unknown = await engine.request({
        method: 'GET',
        path: `/exec/${engine.session.name('missing')}/json`,
      });
      expectError(expect, unknown, 404, 'inspect of an unknown exec');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-22',
    `resizes a running exec with 200 and refuses a non-numeric size with 400 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const container = await box(engine);
      const exec = await createExec(engine, container, { Tty: true, Cmd: ['sleep', '10'] });
      await engine.expectStatus(
        { method: 'POST', path: `/exec/${exec}/start`, json: { Detach: true, Tty: true } },
        200,
      );
      const resized = await engine.request({
        method: 'POST',
        path: `/exec/${exec}/resize`,
        query: { h: 30, w: 100 },
      });
      expect(resized.status, 'exec resize h=30 w=100').toBe(200);
      expect(resized.body.length, 'bytes of the resize body').toBe(0);
      const bad = await engine.request({
        method: 'POST',
        path: `/exec/${exec}/resize`,
        query: { h: 'x', w: 100 },
      });
      expectError(expect, bad, 400, 'exec resize h=x');
    },
    ENGINE_TIMEOUT,
  );
});
