import {
  FIDELITY_LABEL,
  FIDELITY_LABEL_VALUE,
  FIDELITY_REPO,
  FIDELITY_RUN_LABEL,
  type HijackStep,
  type RequestStep,
  type Scenario,
} from './scenario.js';

/** The image both daemons have (busybox, CMD ["sh"]). */
export const FIDELITY_IMAGE = 'local/busybox:1';

const v = (path: string): string => `/v1.41${path}`;
const LABELS = { [FIDELITY_LABEL]: FIDELITY_LABEL_VALUE, [FIDELITY_RUN_LABEL]: '{{run}}' };
/** Restricts a list to this run's containers, whatever else runs on the daemon. */
const RUN_FILTER = { label: [`${FIDELITY_RUN_LABEL}={{run}}`] };
const REPO = `${FIDELITY_REPO}/{{run}}`;

/** A create body as the CLI builds it; NetworkMode "none" (the real daemon here has no bridge). */
function container(
  cmd: readonly string[] | undefined,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    Image: FIDELITY_IMAGE,
    ...(cmd ? { Cmd: cmd } : {}),
    Labels: LABELS,
    HostConfig: { NetworkMode: 'none' },
    ...extra,
  };
}

function create(
  name: string,
  variable: string,
  cmd: readonly string[],
  extra: Record<string, unknown> = {},
): RequestStep {
  return {
    name,
    method: 'POST',
    path: v('/containers/create'),
    query: { name: `{{name:${variable}}}` },
    json: container(cmd, extra),
    expect: 201,
    capture: { [variable]: 'Id' },
  };
}

const post = (name: string, path: string, expect: number, extra: Partial<RequestStep> = {}): RequestStep => ({
  name,
  method: 'POST',
  path: v(path),
  expect,
  ...extra,
});

const get = (name: string, path: string, expect: number, extra: Partial<RequestStep> = {}): RequestStep => ({
  name,
  method: 'GET',
  path: v(path),
  expect,
  ...extra,
});

const del = (name: string, path: string, expect: number, extra: Partial<RequestStep> = {}): RequestStep => ({
  name,
  method: 'DELETE',
  path: v(path),
  expect,
  ...extra,
});

/** `docker attach` / `docker run`: POST attach, Content-Type text/plain, empty body (5.3.2). */
function attach(
  name: string,
  variable: string,
  upgrade: boolean,
  extra: Partial<HijackStep> = {},
): HijackStep {
  return {
    name,
    kind: 'hijack',
    method: 'POST',
    path: v(`/containers/{{${variable}}}/attach`),
    query: { stream: 1, stdout: 1, stderr: 1 },
    headers: [['Content-Type', 'text/plain']],
    upgrade,
    stream: 'stdcopy',
    expect: upgrade ? 101 : 200,
    ...extra,
  };
}

/** `docker exec`: POST /exec/{id}/start with {"Detach":false,"Tty":…} (5.3.2). */
function execStart(
  name: string,
  variable: string,
  upgrade: boolean,
  extra: Partial<HijackStep> = {},
): HijackStep {
  const tty = extra.stream === 'tty';
  return {
    name,
    kind: 'hijack',
    method: 'POST',
    path: v(`/exec/{{${variable}}}/start`),
    json: { Detach: false, Tty: tty },
    upgrade,
    stream: 'stdcopy',
    halfClose: true,
    expect: upgrade ? 101 : 200,
    ...extra,
  };
}

function execCreate(
  name: string,
  target: string,
  variable: string,
  body: Record<string, unknown>,
  expect = 201,
): RequestStep {
  return post(name, `/containers/{{${target}}}/exec`, expect, {
    json: { AttachStdout: true, AttachStderr: true, ...body },
    capture: { [variable]: 'Id' },
  });
}

/** DKR-7: the API versions and the OS are the contract; the rest describes the host. */
const VERSION = { shapeOnly: true, keep: ['ApiVersion', 'MinAPIVersion', 'Os'] };

const system: Scenario = {
  name: 'system',
  steps: [
    { name: 'HEAD /_ping', method: 'HEAD', path: '/_ping', expect: 200 },
    { name: 'GET /_ping', method: 'GET', path: '/_ping', expect: 200 },
    get('GET /v1.41/_ping', '/_ping', 200),
    // /version and /info describe the host: only their shapes can be compared.
    get('version', '/version', 200, { normalise: VERSION }),
    { name: 'version unversioned', method: 'GET', path: '/version', expect: 200, normalise: VERSION },
    get('info', '/info', 200, { normalise: { shapeOnly: true, keep: ['OSType'] } }),
    // DKR-1: dockerd 20.10's minimum API version is 1.12, so /v1.12 is still accepted there.
    { name: 'version prefix v1.12', method: 'GET', path: '/v1.12/version', expect: 200, normalise: VERSION },
    { name: 'version prefix too old', method: 'GET', path: '/v1.11/version', expect: 400 },
    { name: 'version prefix too new', method: 'GET', path: '/v1.99/version', expect: 400 },
    get('unknown route', '/no-such-route', 404),
    { name: 'unknown route unversioned', method: 'GET', path: '/no-such-route', expect: 404 },
    post('unknown method', '/version', 404),
  ],
};

const createAndInspect: Scenario = {
  name: 'create and inspect',
  steps: [
    create('create', 'web', ['sleep', '300']),
    {
      name: 'create bad name',
      method: 'POST',
      path: v('/containers/create'),
      query: { name: '-bad' },
      json: container(['true']),
      expect: 400,
    },
    {
      name: 'create unknown image',
      method: 'POST',
      path: v('/containers/create'),
      query: { name: '{{name:noimage}}' },
      json: container(['true'], { Image: `${REPO}-nope:1` }),
      expect: 404,
    },
    {
      name: 'create name in use',
      method: 'POST',
      path: v('/containers/create'),
      query: { name: '{{name:web}}' },
      json: container(['true']),
      expect: 409,
    },
    post('create empty config', '/containers/create', 400, { json: {} }),
    get('inspect by id', '/containers/{{web}}/json', 200),
    get('inspect by short id', '/containers/{{web:12}}/json', 200),
    get('inspect by name', '/containers/{{name:web}}/json', 200),
    // Go's ServeMux cleans the "//" of an encoded leading slash and redirects (301).
    get('inspect by /name in the path', '/containers/%2F{{name:web}}/json', 301),
    get('inspect unknown', '/containers/{{name:missing}}/json', 404),
    get('list all of this run', '/containers/json', 200, { query: { all: 1, filters: RUN_FILTER } }),
    get('list by id filter', '/containers/json', 200, {
      query: { all: 1, filters: { ...RUN_FILTER, id: ['{{web:12}}'] } },
    }),
    get('list by name filter', '/containers/json', 200, {
      query: { all: 1, filters: { ...RUN_FILTER, name: ['{{name:web}}'] } },
    }),
    get('list by status created', '/containers/json', 200, {
      query: { all: 1, filters: { ...RUN_FILTER, status: ['created'] } },
    }),
    get('list running (none)', '/containers/json', 200, { query: { filters: RUN_FILTER } }),
  ],
};

const lifecycle: Scenario = {
  name: 'lifecycle',
  steps: [
    create('create', 'c', ['sleep', '300']),
    post('start', '/containers/{{c}}/start', 204),
    post('start again', '/containers/{{c}}/start', 304),
    get('inspect running', '/containers/{{c}}/json', 200),
    get('list running', '/containers/json', 200, { query: { filters: RUN_FILTER } }),
    get('list by status running', '/containers/json', 200, {
      query: { all: 1, filters: { ...RUN_FILTER, status: ['running'] } },
    }),
    post('pause', '/containers/{{c}}/pause', 204),
    post('pause again', '/containers/{{c}}/pause', 409),
    get('inspect paused', '/containers/{{c}}/json', 200),
    post('start paused', '/containers/{{c}}/start', 409),
    del('delete paused', '/containers/{{c}}', 409),
    post('exec create in paused', '/containers/{{c}}/exec', 409, { json: { Cmd: ['true'] } }),
    post('unpause', '/containers/{{c}}/unpause', 204),
    post('unpause again', '/containers/{{c}}/unpause', 500),
    post('restart', '/containers/{{c}}/restart', 204, { query: { t: 0 } }),
    get('inspect restarted', '/containers/{{c}}/json', 200),
    post('stop', '/containers/{{c}}/stop', 204, { query: { t: 0 } }),
    post('stop again', '/containers/{{c}}/stop', 304, { query: { t: 0 } }),
    post('kill not running', '/containers/{{c}}/kill', 409),
    post('wait stopped', '/containers/{{c}}/wait', 200),
    get('inspect exited', '/containers/{{c}}/json', 200),
    get('list by status exited', '/containers/json', 200, {
      query: { all: 1, filters: { ...RUN_FILTER, status: ['exited'] } },
    }),
    post('start stopped', '/containers/{{c}}/start', 204),
    post('kill', '/containers/{{c}}/kill', 204),
    post('wait killed', '/containers/{{c}}/wait', 200),
    create('create other', 'other', ['sleep', '300']),
    post('rename', '/containers/{{c}}/rename', 204, { query: { name: '{{name:renamed}}' } }),
    post('rename to a name in use', '/containers/{{c}}/rename', 409, { query: { name: '{{name:other}}' } }),
    post('rename empty', '/containers/{{c}}/rename', 400, { query: { name: '' } }),
    post('rename to the same name', '/containers/{{c}}/rename', 400, { query: { name: '{{name:renamed}}' } }),
    get('inspect by new name', '/containers/{{name:renamed}}/json', 200),
    get('inspect by old name', '/containers/{{name:c}}/json', 404),
    post('start for delete', '/containers/{{c}}/start', 204),
    del('delete running', '/containers/{{c}}', 409),
    del('delete running with force', '/containers/{{c}}', 204, { query: { force: 1 } }),
    del('delete again', '/containers/{{c}}', 404),
    post('stop unknown', '/containers/{{c}}/stop', 404),
    post('start unknown', '/containers/{{name:missing}}/start', 404),
  ],
};

const wait: Scenario = {
  name: 'wait',
  steps: [
    create('create', 'w', ['sh', '-c', 'exit 3']),
    // 5.3.4: `docker run -d` sends wait?condition=next-exit before start, `docker run --rm` removed.
    post('wait next-exit (head)', '/containers/{{w}}/wait', 200, {
      query: { condition: 'next-exit' },
      hold: 'next',
    }),
    post('wait removed (head)', '/containers/{{w}}/wait', 200, {
      query: { condition: 'removed' },
      hold: 'removed',
    }),
    post('start', '/containers/{{w}}/start', 204),
    { name: 'wait next-exit (body)', kind: 'release', of: 'next' },
    post('wait not-running', '/containers/{{w}}/wait', 200),
    // dockerd 20.10 treats an unknown condition as not-running; moby master answers 400 (DKR-13).
    post('wait invalid condition', '/containers/{{w}}/wait', 200, { query: { condition: 'bogus' } }),
    post('wait unknown', '/containers/{{name:missing}}/wait', 404),
    del('delete', '/containers/{{w}}', 204),
    { name: 'wait removed (body)', kind: 'release', of: 'removed' },
  ],
};

const ECHO_BOTH = ['sh', '-c', 'echo out; echo err >&2'];

const logsAndAttach: Scenario = {
  name: 'logs and attach',
  steps: [
    create('create', 'out', ECHO_BOTH, { AttachStdout: true, AttachStderr: true }),
    attach('attach with upgrade (head)', 'out', true, { hold: 'att' }),
    post('start', '/containers/{{out}}/start', 204),
    { name: 'attach with upgrade (stream)', kind: 'release', of: 'att', halfClose: true },
    post('wait', '/containers/{{out}}/wait', 200),
    get('logs stdout and stderr', '/containers/{{out}}/logs', 200, {
      query: { stdout: 1, stderr: 1 },
      decode: 'stdcopy',
    }),
    get('logs stdout', '/containers/{{out}}/logs', 200, { query: { stdout: 1 }, decode: 'stdcopy' }),
    get('logs stderr', '/containers/{{out}}/logs', 200, { query: { stderr: 1 }, decode: 'stdcopy' }),
    get('logs neither stream', '/containers/{{out}}/logs', 400),
    get('logs with timestamps', '/containers/{{out}}/logs', 200, {
      query: { stdout: 1, stderr: 1, timestamps: 1 },
      decode: 'stdcopy',
    }),
    get('logs unknown', '/containers/{{name:missing}}/logs', 404, { query: { stdout: 1 } }),
    create('create lines', 'lines', ['sh', '-c', 'echo one; echo two; echo three']),
    post('start lines', '/containers/{{lines}}/start', 204),
    post('wait lines', '/containers/{{lines}}/wait', 200),
    get('logs tail 2', '/containers/{{lines}}/logs', 200, {
      query: { stdout: 1, tail: 2 },
      decode: 'stdcopy',
    }),
    get('logs tail all', '/containers/{{lines}}/logs', 200, {
      query: { stdout: 1, tail: 'all' },
      decode: 'stdcopy',
    }),
    create('create tty', 'tty', ECHO_BOTH, { Tty: true }),
    post('start tty', '/containers/{{tty}}/start', 204),
    post('wait tty', '/containers/{{tty}}/wait', 200),
    get('logs tty', '/containers/{{tty}}/logs', 200, { query: { stdout: 1, stderr: 1 }, decode: 'tty' }),
    create('create legacy', 'legacy', ECHO_BOTH, { AttachStdout: true, AttachStderr: true }),
    // DKR-19: without Upgrade the answer is 200 raw-stream, close-delimited, still multiplexed.
    attach('attach without upgrade (head)', 'legacy', false, { hold: 'legacy' }),
    post('start legacy', '/containers/{{legacy}}/start', 204),
    { name: 'attach without upgrade (stream)', kind: 'release', of: 'legacy' },
    create('create cat', 'cat', ['cat'], {
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: true,
      StdinOnce: true,
    }),
    attach('attach with stdin (head)', 'cat', true, {
      query: { stream: 1, stdin: 1, stdout: 1, stderr: 1 },
      hold: 'cat',
    }),
    post('start cat', '/containers/{{cat}}/start', 204),
    {
      name: 'attach with stdin (stream)',
      kind: 'release',
      of: 'cat',
      stdin: 'hello {{run}}\n',
      halfClose: true,
    },
    post('wait cat', '/containers/{{cat}}/wait', 200),
    attach('attach unknown', 'out', true, { path: v('/containers/{{name:missing}}/attach'), expect: 404 }),
  ],
};

const exec: Scenario = {
  name: 'exec',
  steps: [
    create('create', 'box', ['sleep', '300']),
    post('start', '/containers/{{box}}/start', 204),
    // 5.3.3: dockerode creates, inspects and upgrades on one keep-alive connection.
    {
      ...execCreate('exec create', 'box', 'ex', { Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] }),
      connection: 'c1',
    },
    get('exec inspect before start', '/exec/{{ex}}/json', 200, { connection: 'c1' }),
    execStart('exec start with upgrade', 'ex', true, { connection: 'c1' }),
    get('exec inspect after exit', '/exec/{{ex}}/json', 200),
    post('exec create without command', '/containers/{{box}}/exec', 400, { json: { AttachStdout: true } }),
    execCreate('exec create cat', 'box', 'cat', { AttachStdin: true, Cmd: ['cat'] }),
    execStart('exec start with stdin', 'cat', true, { stdin: 'ping {{run}}\n' }),
    get('exec inspect cat', '/exec/{{cat}}/json', 200),
    execCreate('exec create for legacy start', 'box', 'legacy', { Cmd: ['sh', '-c', 'echo legacy; exit 0'] }),
    execStart('exec start without upgrade', 'legacy', false),
    execCreate('exec create tty', 'box', 'tty', { Tty: true, Cmd: ['sh', '-c', 'echo tty'] }),
    execStart('exec start tty', 'tty', true, { stream: 'tty' }),
    execCreate('exec create detached', 'box', 'bg', { Tty: true, Cmd: ['sleep', '5'] }),
    post('exec start detached', '/exec/{{bg}}/start', 200, { json: { Detach: true, Tty: true } }),
    post('exec resize', '/exec/{{bg}}/resize', 200, { query: { h: 30, w: 100 } }),
    post('exec resize bad height', '/exec/{{bg}}/resize', 400, { query: { h: 'x', w: 100 } }),
    get('exec inspect detached', '/exec/{{bg}}/json', 200),
    post('exec start again', '/exec/{{ex}}/start', 409, { json: { Detach: true, Tty: false } }),
    post('exec start unknown', '/exec/{{run}}-missing/start', 404, { json: { Detach: false, Tty: false } }),
    get('exec inspect unknown', '/exec/{{run}}-missing/json', 404),
    post('exec create unknown container', '/containers/{{name:missing}}/exec', 404, {
      json: { Cmd: ['true'] },
    }),
    execCreate('exec create before stop', 'box', 'late', { Cmd: ['true'] }),
    post('stop', '/containers/{{box}}/stop', 204, { query: { t: 0 } }),
    post('exec create not running', '/containers/{{box}}/exec', 409, { json: { Cmd: ['true'] } }),
    // dockerd 20.10 forgets a container's execs when it stops: 404, not the 409 of DKR-21.
    post('exec start after the container stopped', '/exec/{{late}}/start', 404, {
      json: { Detach: false, Tty: false },
    }),
  ],
};

const FILE = 'fidelity.txt';

const archiveAndImages: Scenario = {
  name: 'archive and images',
  steps: [
    create('create', 'arc', ['sleep', '300']),
    post('start', '/containers/{{arc}}/start', 204),
    {
      name: 'archive HEAD missing',
      method: 'HEAD',
      path: v('/containers/{{arc}}/archive'),
      query: { path: `/tmp/${FILE}` },
      expect: 404,
    },
    // 5.3.6: `docker cp` sends the tar as text/plain, chunked.
    {
      name: 'archive PUT',
      method: 'PUT',
      path: v('/containers/{{arc}}/archive'),
      query: { noOverwriteDirNonDir: true, path: '/tmp' },
      headers: [['Content-Type', 'text/plain']],
      body: { tar: [{ name: FILE, content: 'fidelity {{run}}\n' }] },
      chunked: true,
      expect: 200,
    },
    {
      name: 'archive HEAD existing',
      method: 'HEAD',
      path: v('/containers/{{arc}}/archive'),
      query: { path: `/tmp/${FILE}` },
      expect: 200,
    },
    get('archive GET', '/containers/{{arc}}/archive', 200, {
      query: { path: `/tmp/${FILE}` },
      decode: 'tar',
    }),
    get('archive GET missing', '/containers/{{arc}}/archive', 404, { query: { path: '/tmp/no-such-file' } }),
    {
      name: 'archive PUT into a missing directory',
      method: 'PUT',
      path: v('/containers/{{arc}}/archive'),
      query: { path: '/no-such-dir' },
      body: { tar: [{ name: FILE, content: 'x\n' }] },
      expect: 404,
    },
    post('commit', '/commit', 201, {
      query: {
        author: '',
        changes: 'ENV A=1',
        comment: '',
        container: '{{arc}}',
        repo: `${REPO}-commit`,
        tag: '1',
      },
      capture: { img: 'Id' },
    }),
    post('commit by /name', '/commit', 201, {
      query: { container: '/{{name:arc}}', repo: `${REPO}-slash`, tag: '1' },
      capture: { slash: 'Id' },
    }),
    post('commit unknown container', '/commit', 404, {
      query: { container: '{{name:missing}}', repo: `${REPO}-none` },
    }),
    get('image inspect by reference', `/images/${REPO}-commit:1/json`, 200),
    get('image inspect by id', '/images/{{img}}/json', 200),
    get('image inspect unknown', `/images/${REPO}-nope:1/json`, 404),
    get('images by reference', '/images/json', 200, {
      query: { filters: { reference: [`${REPO}-commit`] } },
    }),
    post('tag', `/images/${REPO}-commit:1/tag`, 201, { query: { repo: `${REPO}-tagged`, tag: '2' } }),
    get('images by reference glob', '/images/json', 200, {
      query: { filters: { reference: [`${REPO}-tagged:*`] } },
    }),
    post('tag unknown image', `/images/${REPO}-nope:1/tag`, 404, { query: { repo: `${REPO}-x`, tag: '1' } }),
    del('image delete tag', `/images/${REPO}-tagged:2`, 200),
    del('image delete last tag', `/images/${REPO}-commit:1`, 200),
    del('image delete again', `/images/${REPO}-commit:1`, 404),
    post('images/create of a missing image', '/images/create', 500, {
      query: { fromImage: `docker.io/${REPO}-missing`, tag: '1' },
      headers: [['X-Registry-Auth', 'e30=']],
    }),
  ],
};

const identity: Scenario = {
  name: 'identity',
  steps: [
    {
      name: 'create until two IDs share a first character',
      kind: 'shared-prefix',
      path: v('/containers/create'),
      json: container(['sleep', '300']),
      capture: 'amb',
      expect: 201,
    },
    // DKR-30: moby master answers 400; dockerd 20.10 answers 500 "Multiple IDs found ...".
    get('inspect by ambiguous prefix', '/containers/{{amb}}/json', 500),
    post('start by ambiguous prefix', '/containers/{{amb}}/start', 500),
    del('delete by ambiguous prefix', '/containers/{{amb}}', 500, { query: { force: 1 } }),
  ],
};

/** Every scenario, in run order. */
export const fidelityScenarios: readonly Scenario[] = [
  system,
  createAndInspect,
  lifecycle,
  wait,
  logsAndAttach,
  exec,
  archiveAndImages,
  identity,
];

/** Number of steps across `scenarios`. */
export function countSteps(scenarios: readonly Scenario[]): number {
  return scenarios.reduce((sum, scenario) => sum + scenario.steps.length, 0);
}
