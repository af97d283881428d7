import { Buffer } from 'node:buffer';
import { encodeFrame } from '../../../protocol/stdcopy-encoder.js';
import { DockerdConflictError, DockerdInvalidParameterError, DockerdSystemError } from '../dockerd-errors.js';
import { formatRfc3339NanoFixed } from '../engine/clock.js';
import type { LogEntry } from '../engine/log-store.js';
import { compareVersions, type ApiContext } from './api-context.js';
import type { RouteHandlers } from './api-route.js';

/** timetypes.ParseTimestamps: "seconds[.nanoseconds]" → ns; errors are strconv's (500). */
function parseTimestamp(text: string): bigint {
  const [secondsText = '', fraction] = text.split('.', 2) as [string, string | undefined];
  const parse = (part: string): bigint => {
    if (!/^[+-]?[0-9]+$/.test(part))
      throw new DockerdSystemError(`strconv.ParseInt: parsing ${JSON.stringify(part)}: invalid syntax`);
    const value = BigInt(part);
    if (value > 9223372036854775807n || value < -9223372036854775808n) {
      throw new DockerdSystemError(`strconv.ParseInt: parsing ${JSON.stringify(part)}: value out of range`);
    }
    return value;
  };
  const seconds = parse(secondsText);
  if (fraction === undefined) return seconds * 1_000_000_000n;
  const nanos = parse(fraction);
  // "should already be in nanoseconds but just in case convert n to nanoseconds"
  const scale = 9 - fraction.length;
  const scaled = scale >= 0 ? nanos * 10n ** BigInt(scale) : nanos / 10n ** BigInt(-scale);
  return seconds * 1_000_000_000n + scaled;
}

/**
 * DKR-18: GET /containers/{name}/logs. Checked before streaming (400/404/500), then 200 with the
 * head flushed at once (chunked, no Content-Type on API 1.41); one stdcopy frame per log line
 * (raw with a TTY). `tail` counts lines of both streams (json-file); follow ends with the run.
 */
async function logs(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const showStdout = form.bool('stdout');
  const showStderr = form.bool('stderr');
  if (!(showStdout || showStderr)) {
    throw new DockerdInvalidParameterError('Bad parameters: you must choose at least one stream');
  }
  const container = ctx.engine.getContainer(ctx.vars.name ?? '');
  if (container.state.removalInProgress || container.state.dead) {
    throw new DockerdConflictError('can not get logs from container which is dead or marked for removal');
  }
  const sinceText = form.get('since');
  const since = sinceText === '' ? undefined : parseTimestamp(sinceText);
  const untilText = form.get('until');
  const until = untilText === '' || untilText === '0' ? undefined : parseTimestamp(untilText);
  const follow = form.bool('follow') && container.state.running;
  const tailText = form.get('tail');
  const tail = /^[+-]?[0-9]+$/.test(tailText) ? Number(tailText) : -1;
  const timestamps = form.bool('timestamps');
  const multiplexed = !container.config.Tty;

  const queue: LogEntry[] = [];
  let ended = !follow;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const unfollow = follow
    ? container.logs.follow(
        (entry) => {
          queue.push(entry);
          notify();
        },
        () => {
          ended = true;
          notify();
        },
      )
    : undefined;
  // Taken in the same turn as the subscription: no line is lost or sent twice.
  let existing = [...container.logs.entries];
  const onAbort = (): void => {
    ended = true;
    notify();
  };
  ctx.request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // DKR-18: API 1.42+ announces the stream type; 1.41 sends no Content-Type at all.
    if (compareVersions(ctx.apiVersion, '1.42') >= 0) {
      ctx.response.header.set(
        'Content-Type',
        multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream',
      );
    }
    ctx.response.writeHead(200);
    await ctx.response.flush();
    if (tail >= 0) existing = tail === 0 ? [] : existing.slice(-tail);
    const send = async (entry: LogEntry): Promise<boolean> => {
      if (since !== undefined && entry.timeNs < since) return true;
      if (until !== undefined && entry.timeNs > until) return false;
      const wanted = entry.stream === 'stdout' ? showStdout : showStderr;
      if (!wanted) return true;
      const line = timestamps
        ? Buffer.concat([Buffer.from(`${formatRfc3339NanoFixed(entry.timeNs)} `), entry.data])
        : entry.data;
      await ctx.response.write(multiplexed ? encodeFrame(entry.stream, line) : line);
      await ctx.response.flush();
      return true;
    };
    for (const entry of existing) if (!(await send(entry))) return;
    for (;;) {
      const entry = queue.shift();
      if (entry) {
        if (!(await send(entry))) return;
        continue;
      }
      if (ended || ctx.request.signal.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    unfollow?.();
    ctx.request.signal.removeEventListener('abort', onAbort);
  }
}

/** The handlers of container logs; route-table.ts gives each its route. */
export const logsHandlers = { logs } satisfies RouteHandlers;
