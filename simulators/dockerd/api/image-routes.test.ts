import { Buffer } from 'node:buffer';
import tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demultiplex } from '../../../protocol/demultiplex.js';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { startTestDockerd, type TestDockerd } from '../test-dockerd.test-helper.js';

useLeakCheck();

let d: TestDockerd;
beforeAll(async () => {
  d = await startTestDockerd({ name: 'images-test' });
});
afterAll(async () => {
  await d.close();
});

const IMAGE = 'local/busybox:1';
const v = (path: string): string => `/v1.41${path}`;
const q = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

interface TarMember {
  readonly name: string;
  readonly type: string;
  readonly mode: number;
  readonly content: string;
  readonly linkname: string | null;
}

async function packTar(
  entries: readonly { name: string; content?: string; type?: 'file' | 'directory' }[],
): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const entry of entries) {
    if (entry.type === 'directory') pack.entry({ name: entry.name, type: 'directory', mode: 0o755 });
    else pack.entry({ name: entry.name, mode: 0o644 }, entry.content ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function readTar(bytes: Buffer): Promise<TarMember[]> {
  const extract = tarStream.extract();
  const members: TarMember[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { name, type, mode, linkname } = entry.header;
      members.push({
        name,
        type,
        mode,
        content: Buffer.concat(chunks).toString(),
        linkname: linkname ?? null,
      });
    }
  })();
  extract.end(bytes);
  await done;
  return members;
}

function pathStat(header: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(header ?? '', 'base64').toString()) as Record<string, unknown>;
}

describe('DKR-24/25 images', () => {
  it('lists the seed image with the keys of 20.10 and inspects it by reference and by ID', async () => {
    const list = (await d.request('GET', v('/images/json'))).json<Record<string, unknown>[]>();
    expect(list).toHaveLength(1);
    expect(Object.keys(list[0] ?? {})).toEqual([
      'Containers',
      'Created',
      'Id',
      'Labels',
      'ParentId',
      'RepoDigests',
      'RepoTags',
      'SharedSize',
      'Size',
      'VirtualSize',
    ]);
    expect(list[0]).toMatchObject({
      Containers: -1,
      RepoTags: [IMAGE],
      RepoDigests: null,
      Labels: null,
      ParentId: '',
    });
    const inspected = (await d.request('GET', v(`/images/${IMAGE}/json`))).json<Record<string, unknown>>();
    expect(Object.keys(inspected)).toEqual([
      'Id',
      'RepoTags',
      'RepoDigests',
      'Parent',
      'Comment',
      'Created',
      'Container',
      'ContainerConfig',
      'DockerVersion',
      'Author',
      'Config',
      'Architecture',
      'Os',
      'Size',
      'VirtualSize',
      'GraphDriver',
      'RootFS',
      'Metadata',
    ]);
    expect(inspected).toMatchObject({
      RepoTags: [IMAGE],
      RepoDigests: [],
      Architecture: 'amd64',
      Os: 'linux',
      Comment: 'Imported from -',
    });
    expect((inspected.Config as Record<string, unknown>).Cmd).toEqual(['sh']);
    const id = inspected.Id as string;
    expect((await d.request('GET', v(`/images/${id.slice(7, 19)}/json`))).json()).toMatchObject({ Id: id });
    expect((await d.request('GET', v('/images/nope/json'))).json()).toEqual({
      message: 'no such image: nope: No such image: nope:latest',
    });
    expect((await d.request('GET', v('/images/BAD/json'))).json()).toEqual({
      message: 'no such image: BAD: invalid reference format: repository name must be lowercase',
    });
  });

  it('the seed image has the same ID on every simulator; container IDs differ between simulators', async () => {
    const other = await startTestDockerd({ name: 'images-test' });
    try {
      const a = (await d.request('GET', v(`/images/${IMAGE}/json`))).json<{ Id: string }>().Id;
      const b = (await other.request('GET', v(`/images/${IMAGE}/json`))).json<{ Id: string }>().Id;
      expect(a).toBe(b);
      expect(await other.create({ Image: IMAGE })).not.toBe(await d.create({ Image: IMAGE }));
    } finally {
      await other.close();
    }
  });

  it("tags (201, empty), filters by reference glob, and untags/deletes with dockerd's records and conflicts", async () => {
    expect((await d.request('POST', v(`/images/${IMAGE}/tag?repo=local/extra&tag=2`))).status).toBe(201);
    expect((await d.request('POST', v(`/images/${IMAGE}/tag?repo=other/x`))).status).toBe(201);
    expect((await d.request('POST', v('/images/nope/tag?repo=other/y'))).json()).toEqual({
      message: 'No such image: nope:latest',
    });
    expect((await d.request('POST', v(`/images/${IMAGE}/tag?repo=BAD`))).json()).toEqual({
      message: 'invalid reference format: repository name must be lowercase',
    });
    expect((await d.request('POST', v(`/images/${IMAGE}/tag?repo=x&tag=bad:tag`))).json()).toEqual({
      message: 'invalid tag format',
    });
    const local = (await d.request('GET', v(`/images/json?filters=${q({ reference: ['local/*'] })}`))).json<
      { RepoTags: string[] }[]
    >();
    expect(local.map((image) => image.RepoTags)).toEqual([['local/busybox:1', 'local/extra:2']]);
    const star = (await d.request('GET', v(`/images/json?filters=${q({ reference: ['*'] })}`))).json<
      unknown[]
    >();
    expect(star).toEqual([]);
    const byName = (await d.request('GET', v(`/images/json?filters=${q({ reference: ['other/x'] })}`))).json<
      { RepoTags: string[] }[]
    >();
    expect(byName.map((image) => image.RepoTags)).toEqual([['other/x:latest']]);
    expect((await d.request('DELETE', v('/images/other/x'))).json()).toEqual([
      { Untagged: 'other/x:latest' },
    ]);
    expect((await d.request('DELETE', v('/images/local/extra:2'))).json()).toEqual([
      { Untagged: 'local/extra:2' },
    ]);
    const id = (await d.request('GET', v(`/images/${IMAGE}/json`))).json<{ Id: string }>().Id;
    await d.create({ Image: IMAGE, Cmd: ['true'] });
    // The first container (in creation order) using the image is named.
    const first = [...d.sim.engine.containers.keys()][0] as string;
    const conflict = await d.request('DELETE', v(`/images/${IMAGE}`));
    expect([conflict.status, conflict.json()]).toEqual([
      409,
      {
        message: `conflict: unable to remove repository reference "${IMAGE}" (must force) - container ${first.slice(0, 12)} is using its referenced image ${id.slice(7, 19)}`,
      },
    ]);
    expect((await d.request('DELETE', v(`/images/${id.slice(7, 19)}`))).json()).toMatchObject({
      message: expect.stringMatching(
        /^conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is being used by stopped container [0-9a-f]{12}$/,
      ) as unknown,
    });
    expect((await d.request('DELETE', v('/images/nope'))).json()).toEqual({
      message: 'No such image: nope:latest',
    });
  });

  it('a pull fails before any output, as with no registry reachable (500)', async () => {
    const response = await d.request('POST', v('/images/create?fromImage=docker.io%2Flocal%2Fnope&tag=1'), {
      headers: [['X-Registry-Auth', 'e30=']],
    });
    expect(response.status).toBe(500);
    expect(response.json<{ message: string }>().message).toMatch(
      /^Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp: lookup registry-1\.docker\.io on \S+: no such host$/,
    );
  });
});

describe('DKR-27 archive', () => {
  let box: string;
  beforeAll(async () => {
    box = await d.create({ Image: IMAGE, Cmd: ['sleep', '300'] }, 'archive-box');
    await d.request('POST', v(`/containers/${box}/start`));
  });
  afterAll(async () => {
    await d.request('DELETE', v(`/containers/${box}?force=1`));
  });

  it('HEAD: 404 for a missing path (length, no body); the stat header for an existing one', async () => {
    const missing = await d.request('HEAD', v(`/containers/${box}/archive?path=/nope`));
    const message = `{"message":"Could not find the file /nope in container ${box}"}\n`;
    expect([missing.status, missing.header('content-length'), missing.body.length]).toEqual([
      404,
      String(message.length),
      0,
    ]);
    const file = await d.request('HEAD', v(`/containers/${box}/archive?path=/etc/hostname`));
    expect([file.status, file.header('content-length'), file.header('content-type')]).toEqual([
      200,
      undefined,
      undefined,
    ]);
    expect(pathStat(file.header('x-docker-container-path-stat'))).toMatchObject({
      name: 'hostname',
      size: 13,
      mode: 0o644,
      linkTarget: '',
    });
    const link = await d.request('HEAD', v(`/containers/${box}/archive?path=/bin/sh`));
    expect(pathStat(link.header('x-docker-container-path-stat'))).toMatchObject({
      name: 'sh',
      size: 7,
      mode: 2 ** 27 + 0o777,
      linkTarget: '/bin/busybox',
    });
    const dir = await d.request('HEAD', v(`/containers/${box}/archive?path=/etc`));
    expect(pathStat(dir.header('x-docker-container-path-stat'))).toMatchObject({
      name: 'etc',
      size: 4096,
      mode: 2 ** 31 + 0o755,
    });
    expect((await d.request('GET', v(`/containers/${box}/archive`))).json()).toEqual({
      message: 'bad parameter: pathcannot be empty',
    });
    expect((await d.request('GET', v(`/containers/${box}/archive?path=/nope`))).json()).toEqual({
      message: `Could not find the file /nope in container ${box}`,
    });
  });

  it('PUT (text/plain, chunked, like docker cp) then GET round-trips a file as Go writes tar', async () => {
    const tar = await packTar([{ name: 'f.txt', content: 'hello archive\n' }]);
    const put = await d.request(
      'PUT',
      v(`/containers/archive-box/archive?noOverwriteDirNonDir=true&path=%2F`),
      {
        headers: [
          ['Content-Type', 'text/plain'],
          ['Transfer-Encoding', 'chunked'],
        ],
        body: Buffer.concat([
          Buffer.from(`${tar.length.toString(16)}\r\n`),
          tar,
          Buffer.from('\r\n0\r\n\r\n'),
        ]),
      },
    );
    expect([put.status, put.header('content-length')]).toEqual([200, '0']);
    const get = await d.request('GET', v('/containers/archive-box/archive?path=%2Ff.txt'));
    expect([get.status, get.header('content-type'), get.framing, get.body.length]).toEqual([
      200,
      'application/x-tar',
      'content-length',
      2048,
    ]);
    expect(get.body.subarray(100, 108).toString('latin1')).toBe('0100644\0');
    expect(get.body.subarray(257, 265).toString('latin1')).toBe('ustar\u000000');
    expect(await readTar(get.body)).toEqual([
      { name: 'f.txt', type: 'file', mode: 0o100644, content: 'hello archive\n', linkname: null },
    ]);
    const exec = await d.exec(box, { Cmd: ['cat', '/f.txt'], AttachStdout: true });
    const started = await d.request('POST', v(`/exec/${exec}/start`), {
      json: { Detach: false, Tty: false },
    });
    expect(demultiplex(started.body).stdout.toString()).toBe('hello archive\n');
  });

  it('GET of a directory lists its tree; "/" starts with "/"', async () => {
    await d.request('PUT', v(`/containers/${box}/archive?path=/tmp`), {
      headers: [['Content-Type', 'application/x-tar']],
      body: await packTar([
        { name: 'd', type: 'directory' },
        { name: 'd/a.txt', content: 'a' },
      ]),
    });
    const members = await readTar((await d.request('GET', v(`/containers/${box}/archive?path=/tmp/d`))).body);
    expect(members.map((m) => [m.name, m.type])).toEqual([
      ['d/', 'directory'],
      ['d/a.txt', 'file'],
    ]);
    const root = await readTar((await d.request('GET', v(`/containers/${box}/archive?path=/`))).body);
    expect(root[0]?.name).toBe('/');
    expect(root.some((m) => m.name === '/bin/sh' && m.type === 'symlink' && m.linkname === 'busybox')).toBe(
      true,
    );
  });

  it('PUT: 404 missing destination, 500 not a directory, noOverwriteDirNonDir, truncated tar', async () => {
    const tar = await packTar([{ name: 'x.txt', content: 'x' }]);
    const put = (query: string, body: Buffer): ReturnType<TestDockerd['request']> =>
      d.request('PUT', v(`/containers/${box}/archive?${query}`), {
        headers: [['Content-Type', 'application/x-tar']],
        body,
      });
    expect((await put('path=/nope', tar)).json()).toEqual({
      message: `Could not find the file /nope in container ${box}`,
    });
    const notDir = await put('path=/etc/passwd', tar);
    expect([notDir.status, notDir.json()]).toEqual([500, { message: 'extraction point is not a directory' }]);
    const etc = await packTar([{ name: 'etc', content: 'file over dir' }]);
    expect((await put('path=/&noOverwriteDirNonDir=true', etc)).json()).toEqual({
      message:
        'Error processing tar file(exit status 1): cannot overwrite directory "/etc" with non-directory "/"',
    });
    expect((await put('path=/tmp', Buffer.from('garbage'))).json()).toEqual({
      message: 'Error processing tar file(exit status 1): unexpected EOF',
    });
    expect((await put('path=/tmp', Buffer.alloc(0))).status).toBe(200);
  });
});

describe('DKR-23 commit', () => {
  it('carries a file and changes into a new image that a new container can cat', async () => {
    const source = await d.create(
      { Image: IMAGE, Cmd: ['sh', '-c', 'echo committed > /data.txt; sleep 300'], Labels: { a: 'b' } },
      'commit-src',
    );
    await d.request('POST', v(`/containers/${source}/start`));
    const committed = await d.request(
      'POST',
      v(
        `/commit?author=me&changes=${encodeURIComponent('ENV A=1')}&changes=${encodeURIComponent('LABEL x=y')}&comment=c&container=commit-src&repo=docker.io%2Flocal%2Fcommitted&tag=1`,
      ),
    );
    expect(committed.status).toBe(201);
    const id = committed.json<{ Id: string }>().Id;
    expect(committed.text).toBe(`{"Id":"${id}"}\n`);
    const image = (await d.request('GET', v('/images/local/committed:1/json'))).json<
      Record<string, unknown>
    >();
    expect(image).toMatchObject({
      Id: id,
      RepoTags: ['local/committed:1'],
      Author: 'me',
      Comment: 'c',
      Container: source,
    });
    expect(image.Config).toMatchObject({
      Env: ['A=1'],
      Labels: { a: 'b', x: 'y' },
      Cmd: ['sh', '-c', 'echo committed > /data.txt; sleep 300'],
    });
    expect((image.RootFS as { Layers: string[] }).Layers).toHaveLength(2);
    const reader = await d.create({
      Image: 'local/committed:1',
      Cmd: ['sh', '-c', 'cat /data.txt; echo A=$A'],
    });
    await d.request('POST', v(`/containers/${reader}/start`));
    await d.request('POST', v(`/containers/${reader}/wait`));
    const logs = await d.request('GET', v(`/containers/${reader}/logs?stdout=1`));
    expect(demultiplex(logs.body).stdout.toString()).toBe('committed\nA=1\n');
    const list = (
      await d.request('GET', v(`/images/json?filters=${q({ reference: ['local/committed'] })}`))
    ).json<{ ParentId: string }[]>();
    expect(list[0]?.ParentId).toMatch(/^sha256:/);
    await d.request('DELETE', v(`/containers/${source}?force=1`));
  });

  it("answers dockerd's errors: unknown container 404, bad change 400, bad repo 500 (after creating the image)", async () => {
    const source = await d.create({ Image: IMAGE, Cmd: ['true'] });
    expect((await d.request('POST', v('/commit?container=nope'))).json()).toEqual({
      message: 'No such container: nope',
    });
    expect((await d.request('POST', v(`/commit?container=${source}&changes=BOGUS%20x`))).json()).toEqual({
      message: 'bogus is not a valid change command',
    });
    const before = d.sim.engine.images.all().length;
    const bad = await d.request('POST', v(`/commit?container=${source}&repo=Bad_Repo`));
    expect([bad.status, bad.json()]).toEqual([
      500,
      { message: 'invalid reference format: repository name must be lowercase' },
    ]);
    expect(d.sim.engine.images.all().length).toBe(before + 1);
    const untagged = await d.request('POST', v(`/commit?container=${source}`), {
      json: { Cmd: ['echo', 'x'] },
    });
    const untaggedId = untagged.json<{ Id: string }>().Id;
    expect((await d.request('GET', v(`/images/${untaggedId}/json`))).json()).toMatchObject({
      RepoTags: [],
      Config: { Cmd: ['echo', 'x'] },
    });
    const all = (await d.request('GET', v('/images/json'))).json<
      { Id: string; RepoTags: string[]; RepoDigests: string[] }[]
    >();
    expect(all.find((image) => image.Id === untaggedId)).toMatchObject({
      RepoTags: ['<none>:<none>'],
      RepoDigests: ['<none>@<none>'],
    });
    expect((await d.request('DELETE', v(`/images/${untaggedId}`))).json()).toEqual([{ Deleted: untaggedId }]);
  });
});
