import type { ClauseContext } from '../harness/clause.js';
import { clause } from '../harness/clause.js';
import { describeEngineKinds, ENGINE_TIMEOUT, expectError, type Engine } from './engine-kinds.js';
import { decodeTar, encodeTar } from './tar-entries.js';

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Commits `container` as `repo:tag` (201 or a clause violation); the image goes after the test. */
async function commit(
  engine: Engine,
  context: ClauseContext,
  container: string,
  repo: string,
  tag: string,
  changes?: string,
): Promise<string> {
  engine.removeImageAfter(context, `${repo}:${tag}`);
  const reply = await engine.expectStatus(
    {
      method: 'POST',
      path: '/commit',
      query: { container, repo, tag, ...(changes === undefined ? {} : { changes }) },
    },
    201,
  );
  return reply.json<{ Id: string }>().Id;
}

async function imageId(engine: Engine, ref: string): Promise<string> {
  const reply = await engine.expectStatus({ method: 'GET', path: `/images/${ref}/json` }, 200);
  return reply.json<{ Id: string }>().Id;
}

/** X-Docker-Container-Path-Stat: base64 of a JSON stat. */
function pathStat(header: string | undefined): Record<string, unknown> | undefined {
  if (header === undefined) return undefined;
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Record<string, unknown>;
}

// Commits and archives use the file's shared running container: creating one per clause costs
// seconds on a real daemon, and nothing here depends on what the others put in it.
describeEngineKinds('images, commit and archive', ({ kind, get }) => {
  clause(
    'DKR-23',
    `commits with 201 and a sha256 Id, as repo:latest with the changes applied, or untagged without a repo (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.sharedBox();
      const repo = `${engine.session.imagePrefix}commit`;
      engine.removeImageAfter(context, `${repo}:latest`);
      const reply = await engine.request({
        method: 'POST',
        path: '/commit',
        query: { author: '', changes: 'ENV BERTH_MARK=1', comment: '', container: id, repo },
      });
      expect(reply.status, 'commit with a repo and no tag').toBe(201);
      const committed = reply.json<{ Id: string }>().Id;
      expect(committed, 'Id of the commit').toMatch(IMAGE_ID);
      const image = await engine.expectStatus({ method: 'GET', path: `/images/${repo}:latest/json` }, 200);
      const body = image.json<{ Id: string; Config: { Env?: string[] } }>();
      expect(body.Id, `Id of ${repo}:latest`).toBe(committed);
      expect(body.Config.Env ?? [], 'Env of the image (changes)').toContain('BERTH_MARK=1');

      const untagged = await engine.request({ method: 'POST', path: '/commit', query: { container: id } });
      expect(untagged.status, 'commit with no repo').toBe(201);
      const untaggedId = untagged.json<{ Id: string }>().Id;
      engine.removeImageAfter(context, untaggedId);
      const inspected = await engine.expectStatus({ method: 'GET', path: `/images/${untaggedId}/json` }, 200);
      expect(
        inspected.json<{ RepoTags: unknown }>().RepoTags ?? [],
        'RepoTags of an image committed with no repo',
      ).toEqual([]);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-23',
    `refuses a digest reference with 400, an invalid repository with an error, an unknown container with 404 (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.sharedBox();
      engine.removeUntaggedAfter(context);
      const prefix = engine.session.imagePrefix;
      const digest = `${prefix}digest@sha256:${'0'.repeat(64)}`;
      expectError(
        expect,
        await engine.request({ method: 'POST', path: '/commit', query: { container: id, repo: digest } }),
        400,
        'commit as a digest reference',
      );
      // moby master: 400; dockerd 20.10: 500 ("invalid reference format").
      expectError(
        expect,
        await engine.request({
          method: 'POST',
          path: '/commit',
          query: { container: id, repo: `${prefix}UPPER` },
        }),
        [400, 500],
        'commit as an upper-case repository',
      );
      expectError(
        expect,
        await engine.request({
          method: 'POST',
          path: '/commit',
          query: { container: engine.session.name('missing'), repo: `${prefix}none` },
        }),
        404,
        'commit of an unknown container',
      );
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-24',
    `lists image summaries and filters them by reference globs (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const prefix = engine.session.imagePrefix;
      const base = await imageId(engine, engine.session.baseImage);
      // X: a commit tagged alpha:1 and beta:2; the base image tagged only below a "/".
      const x = await commit(engine, context, (await engine.sharedBox()).id, `${prefix}alpha`, '1');
      for (const [source, repo, tag] of [
        [`${prefix}alpha:1`, `${prefix}beta`, '2'],
        [engine.session.baseImage, `${prefix}nested/gamma`, '3'],
      ] as const) {
        engine.removeImageAfter(context, `${repo}:${tag}`);
        await engine.expectStatus(
          { method: 'POST', path: `/images/${source}/tag`, query: { repo, tag } },
          201,
        );
      }
      const list = async (reference: string[]): Promise<Record<string, unknown>[]> => {
        const reply = await engine.request({
          method: 'GET',
          path: '/images/json',
          query: { filters: { reference } },
        });
        expect(reply.status, `images?reference=${reference.join(',')}`).toBe(200);
        return reply.json();
      };
      const ids = async (reference: string[]): Promise<string[]> =>
        (await list(reference)).map((image) => String(image.Id)).sort();

      const alpha = await list([`${prefix}alpha`]);
      expect(
        alpha.map((image) => image.Id),
        'a repository name matches its every tag',
      ).toEqual([x]);
      for (const field of [
        'Id',
        'ParentId',
        'RepoTags',
        'RepoDigests',
        'Created',
        'Size',
        'SharedSize',
        'Labels',
        'Containers',
      ]) {
        expect(Object.keys(alpha[0]!), `summary has ${field}`).toContain(field);
      }
      expect(typeof alpha[0]!.Created, 'Created is unix seconds').toBe('number');
      expect(await ids([`${prefix}*`]), '"*" does not cross "/"').toEqual([x]);
      expect(await ids([`${prefix}*:2`]), 'a repo:tag glob').toEqual([x]);
      expect(await ids([`${prefix}alpha:2`]), 'a tag the repository does not have').toEqual([]);
      expect(await ids([`${prefix}nested/*`]), 'a glob below a "/"').toEqual([base]);
      expect(
        await ids([`${prefix}alpha:1`, `${prefix}nested/gamma`]),
        'any one pattern matching is enough',
      ).toEqual([base, x].sort());
      expect(await ids([`${prefix}nothing*`]), 'a pattern matching nothing').toEqual([]);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-25',
    `inspects images with the documented fields, and answers 404 for an unknown one (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const reply = await engine.request({ method: 'GET', path: `/images/${engine.session.baseImage}/json` });
      expect(reply.status, `inspect of ${engine.session.baseImage}`).toBe(200);
      const body = reply.json<Record<string, unknown>>();
      for (const field of [
        'Id',
        'RepoTags',
        'RepoDigests',
        'Created',
        'Config',
        'Architecture',
        'Os',
        'Size',
        'RootFS',
        'Metadata',
      ]) {
        expect(Object.keys(body), `image inspect has ${field}`).toContain(field);
      }
      expect(String(body.Id), 'Id').toMatch(IMAGE_ID);
      expect(String(body.Created), 'Created is RFC 3339').toMatch(RFC3339);
      expect(body.RepoTags, 'RepoTags').toContain(engine.session.baseImage);
      const missing = `${engine.session.imagePrefix}missing:1`;
      const unknown = await engine.request({ method: 'GET', path: `/images/${missing}/json` });
      // dockerd 20.10 says "no such image: <ref>: No such image: <ref>".
      expect(expectError(expect, unknown, 404, 'inspect of an unknown image'), 'the refusal').toContain(
        `No such image: ${missing}`,
      );
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-25',
    `tags with 201 and deletes with 200 and Untagged/Deleted entries, 404 when gone (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const repo = `${engine.session.imagePrefix}tagged`;
      engine.removeImageAfter(context, `${repo}:1`);
      const tagged = await engine.request({
        method: 'POST',
        path: `/images/${engine.session.baseImage}/tag`,
        query: { repo, tag: '1' },
      });
      expect(tagged.status, 'tag').toBe(201);
      expect(await imageId(engine, `${repo}:1`), 'the tag names the base image').toBe(
        await imageId(engine, engine.session.baseImage),
      );
      const untag = await engine.request({ method: 'DELETE', path: `/images/${repo}:1` });
      expect(untag.status, 'delete of a second tag').toBe(200);
      expect(untag.json(), 'delete of a tag whose image keeps another').toEqual([{ Untagged: `${repo}:1` }]);
      expectError(
        expect,
        await engine.request({ method: 'DELETE', path: `/images/${repo}:1` }),
        404,
        'delete again',
      );
      const unknownTag = await engine.request({
        method: 'POST',
        path: `/images/${engine.session.imagePrefix}missing:1/tag`,
        query: { repo, tag: '2' },
      });
      expectError(expect, unknownTag, 404, 'tag of an unknown image');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-25',
    `refuses to delete an image a container uses with 409, then deletes it (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const repo = `${engine.session.imagePrefix}in-use`;
      const image = await commit(engine, context, (await engine.sharedBox()).id, repo, '1');
      const user = await engine.create(context, { cmd: ['true'], image: `${repo}:1` });
      const refused = await engine.request({ method: 'DELETE', path: `/images/${repo}:1` });
      expect(expectError(expect, refused, 409, 'delete of an image a container uses'), 'the refusal').toMatch(
        /conflict/i,
      );
      await engine.expectStatus({ method: 'DELETE', path: `/containers/${user.id}` }, 204);
      const deleted = await engine.request({ method: 'DELETE', path: `/images/${repo}:1` });
      expect(deleted.status, 'delete once no container uses it').toBe(200);
      const entries = deleted.json<Record<string, string>[]>();
      expect(entries, 'the delete answer').toContainEqual({ Untagged: `${repo}:1` });
      expect(entries, 'the delete answer').toContainEqual({ Deleted: image });
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-26',
    `answers a pull that fails before any progress with a JSON error status (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      // `.invalid` never resolves (RFC 2606): the pull fails before it writes anything.
      const reply = await engine.request({
        method: 'POST',
        path: '/images/create',
        query: { fromImage: 'registry.invalid/berth/missing', tag: '1' },
        headers: [['X-Registry-Auth', 'e30=']],
      });
      expect(reply.status, `pull from registry.invalid (${reply.text.trim()})`).toBeGreaterThanOrEqual(400);
      expectError(expect, reply, reply.status, 'the failed pull');
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-27',
    `extracts a tar with PUT and gives it back with GET, with the path stat on HEAD and GET (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.sharedBox();
      const content = `berth archive ${engine.session.name('file')}\n`;
      // As `docker cp` sends it: text/plain, chunked (docker-cli-traffic.md 5.3.6).
      const put = await engine.request({
        method: 'PUT',
        path: `/containers/${id}/archive`,
        query: { noOverwriteDirNonDir: true, path: '/tmp' },
        headers: [['Content-Type', 'text/plain']],
        body: encodeTar([{ name: 'berth.txt', content }]),
        chunked: true,
      });
      expect(put.status, 'archive PUT into /tmp').toBe(200);
      expect(put.body.length, 'bytes of the PUT answer').toBe(0);
      const head = await engine.request({
        method: 'HEAD',
        path: `/containers/${id}/archive`,
        query: { path: '/tmp/berth.txt' },
      });
      expect(head.status, 'archive HEAD').toBe(200);
      expect(
        pathStat(head.header('x-docker-container-path-stat')),
        'X-Docker-Container-Path-Stat of HEAD',
      ).toMatchObject({
        name: 'berth.txt',
        size: Buffer.byteLength(content),
      });
      const got = await engine.request({
        method: 'GET',
        path: `/containers/${id}/archive`,
        query: { path: '/tmp/berth.txt' },
      });
      expect(got.status, 'archive GET').toBe(200);
      expect(
        pathStat(got.header('x-docker-container-path-stat')),
        'X-Docker-Container-Path-Stat of GET',
      ).toMatchObject({
        name: 'berth.txt',
      });
      expect(decodeTar(got.body), 'the tar of GET').toEqual([{ name: 'berth.txt', content }]);
    },
    ENGINE_TIMEOUT,
  );

  clause(
    'DKR-27',
    `refuses a missing path with 400, a missing directory with 404, a non-directory with an error (${kind})`,
    async (context) => {
      const { expect } = context;
      const engine = get(context);
      const { id } = await engine.sharedBox();
      const tar = encodeTar([{ name: 'x.txt', content: 'x\n' }]);
      const put = (path: string | undefined) =>
        engine.request({
          method: 'PUT',
          path: `/containers/${id}/archive`,
          query: path === undefined ? {} : { path },
          headers: [['Content-Type', 'application/x-tar']],
          body: tar,
        });
      expectError(expect, await put(undefined), 400, 'archive PUT with no path');
      expectError(expect, await put('/berth-no-such-dir'), 404, 'archive PUT into a missing directory');
      expect((await put('/tmp')).status, 'archive PUT into /tmp').toBe(200);
      // moby master: 400; dockerd 20.10: 500 ("extraction point is not a directory").
      const file = expectError(expect, await put('/tmp/x.txt'), [400, 500], 'archive PUT onto a file');
      expect(file, 'the refusal').toMatch(/not a directory/);
    },
    ENGINE_TIMEOUT,
  );
});
