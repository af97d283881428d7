import { Buffer } from 'node:buffer';
import { encodeFrame } from '../../../protocol/stdcopy-encoder.js';
import { DockerdConflictError, DockerdError } from '../dockerd-errors.js';
import type { SimContainer } from '../engine/sim-container.js';
import { createTtyStdin } from '../engine/tty-stdin.js';
import { statusText } from '../http/status-text.js';
import { compareVersions, type ApiContext } from './api-context.js';
import type { RouteHandlers } from './api-route.js';
import { closeHijacked, createHijackSink, pumpStdin, rawErrorHead } from './stream-sinks.js';

/**
 * DKR-19: POST /containers/{name}/attach. The connection is always hijacked: "101 UPGRADED" when
 * the request has an Upgrade header, else "200 OK", both raw-stream on API 1.41; then logs (with
 * logs=1) and the live output, stdin the other way. With StdinOnce (no TTY) the client's FIN
 * closes the container's stdin and the stream goes on until the container stops; otherwise the
 * FIN ends the attach. The container's exit ends it too (FIN from the daemon).
 */
async function attach(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const name = ctx.vars.name ?? '';
  const upgrade = ctx.request.header('upgrade') !== undefined;
  let container: SimContainer;
  try {
    container = ctx.engine.getContainer(name);
    if (container.state.paused) {
      throw new DockerdConflictError(`container ${name} is paused, unpause the container before attach`);
    }
    if (container.state.restarting) {
      throw new DockerdConflictError(`container ${name} is restarting, wait until the container is running`);
    }
  } catch (error) {
    // The error goes out raw on the hijacked connection.
    const hijacked = ctx.request.hijack();
    const status = error instanceof DockerdError ? error.status : 500;
    await hijacked
      .send(rawErrorHead(status, statusText(status), (error as Error).message))
      .catch(() => undefined);
    closeHijacked(hijacked);
    return;
  }
  const useStdin = form.bool('stdin');
  const useStdout = form.bool('stdout');
  const useStderr = form.bool('stderr');
  const hijacked = ctx.request.hijack();
  // DKR-19: API 1.42+ names the multiplexed stream of a container without a TTY.
  const contentType =
    !container.config.Tty && compareVersions(ctx.apiVersion, '1.42') >= 0
      ? 'application/vnd.docker.multiplexed-stream'
      : 'application/vnd.docker.raw-stream';
  const head = upgrade
    ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`
    : 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n';
  try {
    await hijacked.send(Buffer.from(head, 'latin1'));
  } catch {
    closeHijacked(hijacked);
    return;
  }
  const multiplexed = !container.config.Tty;
  if (form.bool('logs')) {
    for (const entry of [...container.logs.entries]) {
      const wanted = entry.stream === 'stdout' ? useStdout : useStderr;
      if (!wanted) continue;
      const bytes = multiplexed ? encodeFrame(entry.stream, entry.data) : entry.data;
      await hijacked.send(bytes).catch(() => undefined);
    }
  }
  if (!form.bool('stream') || (!useStdin && !useStdout && !useStderr) || container.removed) {
    closeHijacked(hijacked);
    return;
  }
  const sink = createHijackSink(hijacked, { multiplexed, stdout: useStdout, stderr: useStderr });
  container.hub.sinks.add(sink);
  // A client that closes the connection ends the attach (nothing can be written any more).
  hijacked.socket.once('close', () => sink.end());
  const stdin = useStdin && container.config.OpenStdin ? container.stdin : undefined;
  if (stdin) {
    // With a TTY, input goes through the terminal's cooked mode (echo, CR → LF).
    const echoSignal = new AbortController().signal;
    const target = container.config.Tty
      ? createTtyStdin(
          stdin,
          (data) =>
            void container.hub
              .output('stdout', echoSignal)
              .write(data)
              .catch(() => undefined),
        )
      : stdin;
    const pump = pumpStdin(hijacked, target);
    const stdinOnce = container.config.StdinOnce && !container.config.Tty;
    void pump.done.then(() => {
      if (stdinOnce) {
        // StdinOnce: the client's FIN is the end of the container's stdin.
        stdin.end();
      } else {
        container.hub.sinks.delete(sink);
        sink.end();
      }
    });
    await sink.ended;
    pump.stop();
  } else {
    await sink.ended;
  }
  container.hub.sinks.delete(sink);
  closeHijacked(hijacked);
}

/** The handlers of container attach; route-table.ts gives each its route. */
export const attachHandlers = { attach } satisfies RouteHandlers;
