import { DockerdInvalidParameterError, DockerdConflictError, DockerdSystemError } from '../dockerd-errors.js';
import { formatRfc3339Nano, ZERO_TIME } from '../engine/clock.js';
import { parseConfigFields, type JsonObject } from '../engine/container-config.js';
import { inspectContainer, summarizeContainer } from '../engine/container-views.js';
import type { WaitCondition } from '../engine/docker-engine.js';
import type { SimContainer } from '../engine/sim-container.js';
import { compareVersions, encodeGoJson, type ApiContext } from './api-context.js';
import type { RouteHandlers } from './api-route.js';
import { goAtoi, goAtoiParameter } from './go-form.js';
import { matchFilter, matchLabels, parseFilters, validateFilters } from './parse-filters.js';

const PS_FILTERS = [
  'ancestor',
  'before',
  'expose',
  'exited',
  'health',
  'id',
  'isolation',
  'is-task',
  'label',
  'name',
  'network',
  'publish',
  'since',
  'status',
  'volume',
];
const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/** A Go-style int parse whose error is a plain 500 ("strconv.Atoi: parsing ..."). */
function atoi(text: string): number {
  try {
    return goAtoi(text);
  } catch (error) {
    throw new DockerdSystemError((error as Error).message);
  }
}

/** runconfig.DecodeConfig: JSON errors and type errors are plain errors (500). */
async function decodeBody(ctx: ApiContext): Promise<JsonObject | undefined> {
  const decoded = await ctx.decodeJson();
  if (!decoded.ok) {
    if (decoded.message === 'EOF') return undefined;
    throw new DockerdSystemError(decoded.message);
  }
  const value = decoded.value;
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DockerdSystemError(
      `json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value} into Go value of type runconfig.ContainerConfigWrapper`,
    );
  }
  return value as JsonObject;
}

/** DKR-8: POST /containers/create. */
async function create(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  ctx.checkForJson();
  const name = form.get('name');
  const body = await decodeBody(ctx);
  if (body === undefined) throw new DockerdSystemError('EOF');
  const platform = compareVersions(ctx.apiVersion, '1.41') >= 0 ? form.get('platform') : '';
  if (body.HostConfig && typeof body.HostConfig === 'object' && compareVersions(ctx.apiVersion, '1.25') < 0) {
    (body.HostConfig as JsonObject).AutoRemove = false;
  }
  const container = ctx.engine.createContainer({ name, platform, body });
  await ctx.json(201, { Id: container.id, Warnings: [] });
}

/** DKR-28: GET /containers/json. */
async function list(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const filters = parseFilters(form.get('filters'));
  let all = form.bool('all');
  const size = form.bool('size');
  let limit = 0;
  if (form.get('limit') !== '') limit = atoi(form.get('limit'));
  validateFilters(filters, PS_FILTERS);
  for (const status of filters.get('status') ?? []) {
    if (!STATES.includes(status)) throw new DockerdInvalidParameterError(`Invalid filter 'status=${status}'`);
    all = true;
  }
  const exitCodes = (filters.get('exited') ?? []).map((code) => atoi(code));
  const { engine } = ctx;
  const resolveRef = (ref: string): SimContainer => engine.getContainer(ref);
  let before = form.get('before') || filters.get('before')?.[0];
  const since = form.get('since') || filters.get('since')?.[0];
  let beforeId = before ? resolveRef(before).id : undefined;
  const sinceId = since ? resolveRef(since).id : undefined;
  const ids = filters.get('id') ?? [];
  const idMatches = new Set<string>();
  for (const id of ids) {
    const matches = [...engine.containers.keys()].filter((candidate) => candidate.startsWith(id));
    if (matches.length === 1) idMatches.add(matches[0] as string);
  }
  const ancestors = filters.get('ancestor') ?? [];
  const ancestorIds = new Set<string>();
  for (const ancestor of ancestors) {
    try {
      ancestorIds.add(engine.images.get(ancestor).id);
    } catch {
      // An unknown ancestor matches nothing.
    }
  }
  const now = engine.now();
  const out: JsonObject[] = [];
  for (const container of engine.listContainers()) {
    if (beforeId !== undefined) {
      if (container.id === beforeId) beforeId = undefined;
      continue;
    }
    if (sinceId !== undefined && container.id === sinceId) break;
    if (ids.length > 0 && !idMatches.has(container.id)) continue;
    if (!container.state.running && !all && limit <= 0) continue;
    const bare = container.name.slice(1);
    if (!matchFilter(filters, 'name', container.name) && !matchFilter(filters, 'name', bare)) continue;
    if (!matchFilter(filters, 'id', container.id)) continue;
    if (!matchLabels(filters, 'label', container.config.Labels)) continue;
    if (limit > 0 && out.length === limit) break;
    if (exitCodes.length > 0) {
      const exited = !container.state.running && container.state.startedAtNs !== undefined;
      if (!(exited && exitCodes.includes(container.state.exitCode))) continue;
    }
    if (!matchFilter(filters, 'status', container.status)) continue;
    if (ancestors.length > 0 && !ancestorIds.has(container.imageId)) continue;
    out.push(summarizeContainer(container, engine.images, now, size));
  }
  before = undefined;
  await ctx.json(200, out);
}

/** DKR-17: GET /containers/{name}/json. */
async function inspect(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const container = ctx.engine.getContainer(ctx.vars.name ?? '');
  await ctx.json(200, inspectContainer(container, ctx.engine.options.paths, form.bool('size')));
}

/** DKR-9: POST /containers/{name}/start (a body of 8+ bytes or a chunked one is refused). */
async function start(ctx: ApiContext): Promise<void> {
  await ctx.form();
  const length = ctx.request.contentLength;
  if ((length > 7 || length === -1) && compareVersions(ctx.apiVersion, '1.24') >= 0) {
    throw new DockerdInvalidParameterError(
      'starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24',
    );
  }
  ctx.engine.start(ctx.vars.name ?? '');
  ctx.status(204);
}

function seconds(text: string): number | undefined {
  return text === '' ? undefined : atoi(text);
}

/** DKR-10: POST /containers/{name}/stop. */
async function stop(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const t = seconds(form.get('t'));
  await ctx.engine.stop(ctx.vars.name ?? '', t);
  ctx.status(204);
}

/** DKR-11: POST /containers/{name}/restart. */
async function restart(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const t = seconds(form.get('t'));
  await ctx.engine.restart(ctx.vars.name ?? '', t);
  ctx.status(204);
}

/** DKR-12: POST /containers/{name}/kill. */
async function kill(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  await ctx.engine.kill(ctx.vars.name ?? '', form.get('signal'));
  ctx.status(204);
}

/** DKR-16. */
async function pause(ctx: ApiContext): Promise<void> {
  await ctx.form();
  ctx.engine.pause(ctx.vars.name ?? '');
  ctx.status(204);
}

async function unpause(ctx: ApiContext): Promise<void> {
  await ctx.form();
  ctx.engine.unpause(ctx.vars.name ?? '');
  ctx.status(204);
}

/**
 * DKR-13: POST /containers/{name}/wait. 404 before any output; then 200 and the headers at once
 * (API 1.30+), the body when the condition holds. 20.10 reads an unknown condition as not-running.
 */
async function wait(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const raw = form.get('condition');
  const condition: WaitCondition = raw === 'next-exit' || raw === 'removed' ? raw : 'not-running';
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  ctx.request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = ctx.engine.wait(ctx.vars.name ?? '', condition, abort.signal);
    ctx.response.header.set('Content-Type', 'application/json');
    ctx.response.writeHead(200);
    await ctx.response.flush();
    const outcome = await Promise.race([
      result,
      new Promise<undefined>((resolve) => {
        if (abort.signal.aborted) resolve(undefined);
        else abort.signal.addEventListener('abort', () => resolve(undefined), { once: true });
      }),
    ]);
    if (outcome === undefined) return;
    await ctx.response.write(encodeGoJson(outcome));
  } finally {
    ctx.request.signal.removeEventListener('abort', onAbort);
    abort.abort();
  }
}

/** DKR-14: POST /containers/{name}/rename. */
async function rename(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  ctx.engine.rename(ctx.vars.name ?? '', form.get('name'));
  ctx.status(204);
}

/** DKR-15: DELETE /containers/{name}. */
async function remove(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  if (form.bool('link'))
    throw new DockerdConflictError('Conflict, cannot remove the default link name of the container');
  await ctx.engine.remove(ctx.vars.name ?? '', { force: form.bool('force') });
  ctx.status(204);
}

/** POST /containers/{name}/resize. */
async function resize(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const height = goAtoiParameter(form.get('h'));
  const width = goAtoiParameter(form.get('w'));
  ctx.engine.resizeContainer(ctx.vars.name ?? '', height, width);
  ctx.status(200);
}

/** GET /containers/{name}/top: ps -ef of the main process and the running execs. */
async function top(ctx: ApiContext): Promise<void> {
  await ctx.form();
  const container = ctx.engine.getContainer(ctx.vars.name ?? '');
  if (!container.state.running) throw new DockerdConflictError(`Container ${container.id} is not running`);
  const started = new Date(Number((container.state.startedAtNs ?? 0n) / 1_000_000n));
  const stime = `${String(started.getUTCHours()).padStart(2, '0')}:${String(started.getUTCMinutes()).padStart(2, '0')}`;
  const tty = container.config.Tty ? 'pts/0' : '?';
  const processes = [
    [
      'root',
      String(container.state.pid),
      String(container.state.pid - 1),
      '0',
      stime,
      tty,
      '00:00:00',
      [container.path, ...container.args].join(' '),
    ],
  ];
  for (const id of container.execIds) {
    const exec = ctx.engine.execs.get(id);
    if (exec?.running) {
      processes.push([
        'root',
        String(exec.pid),
        String(container.state.pid - 1),
        '0',
        stime,
        exec.config.tty ? 'pts/1' : '?',
        '00:00:00',
        exec.config.cmd.join(' '),
      ]);
    }
  }
  await ctx.json(200, {
    Processes: processes,
    Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
  });
}

function statsOf(container: SimContainer, readNs: bigint | undefined, running: boolean): JsonObject {
  const cpu = running ? 118930805 : 0;
  const cpuStats = {
    cpu_usage: {
      total_usage: cpu,
      percpu_usage: running ? [cpu - 54042516, 54042516] : null,
      usage_in_kernelmode: running ? 20000000 : 0,
      usage_in_usermode: running ? 90000000 : 0,
    },
    system_cpu_usage: running ? 2580330000000 : 0,
    online_cpus: running ? 2 : 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
  const emptyBlkio = {
    io_service_bytes_recursive: running ? [] : null,
    io_serviced_recursive: running ? [] : null,
    io_queue_recursive: running ? [] : null,
    io_service_time_recursive: running ? [] : null,
    io_wait_time_recursive: running ? [] : null,
    io_merged_recursive: running ? [] : null,
    io_time_recursive: running ? [] : null,
    sectors_recursive: running ? [] : null,
  };
  return {
    read: readNs === undefined ? ZERO_TIME : formatRfc3339Nano(readNs),
    preread: readNs === undefined ? ZERO_TIME : formatRfc3339Nano(readNs - 1_000_000_000n),
    pids_stats: running ? { current: 1 } : {},
    blkio_stats: emptyBlkio,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats,
    precpu_stats: cpuStats,
    memory_stats: running ? { usage: 323584, max_usage: 4083712, stats: {}, limit: 2147483648 } : {},
    name: container.name,
    id: container.id,
  };
}

/** GET /containers/{name}/stats: one sample (stream=0) or one per second. */
async function stats(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const stream = form.boolOr('stream', true);
  const container = ctx.engine.getContainer(ctx.vars.name ?? '');
  if (!stream) {
    const running = container.state.running;
    await ctx.json(200, statsOf(container, running ? ctx.engine.now() : undefined, running));
    return;
  }
  ctx.response.header.set('Content-Type', 'application/json');
  ctx.response.writeHead(200);
  const signal = ctx.request.signal;
  while (!signal.aborted && !container.removed) {
    const running = container.state.running;
    await ctx.response.write(
      encodeGoJson(statsOf(container, running ? ctx.engine.now() : undefined, running)),
    );
    await ctx.response.flush();
    if (!running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}

/** POST /containers/prune: removes stopped containers. */
async function prune(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  const filters = parseFilters(form.get('filters'));
  validateFilters(filters, ['label', 'label!', 'until']);
  const deleted: string[] = [];
  for (const container of ctx.engine.listContainers()) {
    if (container.state.running) continue;
    if (!matchLabels(filters, 'label', container.config.Labels)) continue;
    await ctx.engine.remove(container.id, { force: false });
    deleted.push(container.id);
  }
  await ctx.json(200, { ContainersDeleted: deleted.length === 0 ? null : deleted, SpaceReclaimed: 0 });
}

/** DKR-23: POST /commit. */
async function commit(ctx: ApiContext): Promise<void> {
  const form = await ctx.form();
  ctx.checkForJson();
  let pause = form.bool('pause');
  if (form.get('pause') === '' && compareVersions(ctx.apiVersion, '1.13') >= 0) pause = true;
  const body = await decodeBody(ctx);
  const config = body === undefined ? undefined : parseConfigFields(body);
  const id = ctx.engine.commit({
    container: form.get('container'),
    repo: form.get('repo'),
    tag: form.get('tag'),
    author: form.get('author'),
    comment: form.get('comment'),
    pause,
    changes: form.getAll('changes'),
    config,
  });
  await ctx.json(201, { Id: id });
}

/** The handlers of the container endpoints; route-table.ts gives each its route. */
export const containerHandlers = {
  list,
  inspect,
  top,
  stats,
  create,
  kill,
  pause,
  unpause,
  restart,
  start,
  stop,
  wait,
  resize,
  rename,
  prune,
  commit,
  remove,
} satisfies RouteHandlers;
