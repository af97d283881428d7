import fc from 'fast-check';
import { describe } from 'vitest';
import { encodeFrame } from '../../protocol/stdcopy-encoder.js';
import {
  cacheKeyArb,
  registryHostArb,
  repositoryPathArb,
  stepKeyArb,
  tagArb,
} from '../support/arbitraries/snapshot.js';
import { clause } from '../harness/clause.js';
import { startScriptedGuest, type GuestExchange, type GuestRequest } from '../support/http/scripted-guest.js';

const CONTAINER = 'c'.repeat(64);
const EXEC = 'e'.repeat(64);

function respond({ answer }: GuestExchange, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  answer(
    `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
      `Connection: close\r\n\r\n${text}`,
  );
}

/** A path without its API version prefix, and the query. */
function route(request: GuestRequest): { method: string; path: string; query: URLSearchParams } {
  const url = new URL(request.target, 'http://docker');
  return { method: request.method, path: url.pathname.replace(/^\/v[\d.]+/, ''), query: url.searchParams };
}

interface ExecScript {
  /** Frames the exec start writes after the 101, each sent on its own. */
  readonly frames: readonly { readonly stream: 'stdout' | 'stderr'; readonly text: string }[];
  readonly exitCode: number | null;
}

/** A daemon that has every image and runs one scripted exec. */
async function startExecDaemon(script: ExecScript) {
  return startScriptedGuest((exchange) => {
    const { method, path } = route(exchange.request);
    if (method === 'GET' && path === '/images/json') return respond(exchange, 200, [{ Id: 'sha256:1' }]);
    if (path === '/containers/create') return respond(exchange, 201, { Id: CONTAINER, Warnings: [] });
    if (path.endsWith('/start') && path.startsWith('/containers/')) return respond(exchange, 204);
    if (path.endsWith('/stop')) return respond(exchange, 204);
    if (method === 'DELETE') return respond(exchange, 204);
    if (path === `/containers/${CONTAINER}/exec`) return respond(exchange, 201, { Id: EXEC });
    if (path === `/exec/${EXEC}/json`) {
      return respond(exchange, 200, { ID: EXEC, Running: false, ExitCode: script.exitCode });
    }
    if (path === `/exec/${EXEC}/start`) {
      // The 101, then each frame on its own, a few ms apart, like a process writing over time.
      const head =
        'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n' +
        'Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n';
      const frames = script.frames.map((frame) => encodeFrame(frame.stream, Buffer.from(frame.text)));
      return void exchange.pieces([head, ...frames], { gapMs: 5 });
    }
    return respond(exchange, 404, { message: `unscripted ${method} ${path}` });
  });
}

describe('snapshot backend on the wire', () => {
  clause(
    'SNP-12',
    'pulls the latest tag of an absent untagged image',
    async ({ use, expect, onTestFinished }) => {
      const pulls: URLSearchParams[] = [];
      const guest = await startScriptedGuest((exchange) => {
        const { path, query } = route(exchange.request);
        if (path === '/images/json') return respond(exchange, 200, []);
        if (path === '/images/create') {
          pulls.push(query);
          const stream =
            JSON.stringify({ status: 'Pulling' }) +
            '\n' +
            JSON.stringify({ errorDetail: { message: 'no registry here' }, error: 'no registry here' }) +
            '\n';
          return exchange.answer(
            `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${stream.length}\r\nConnection: close\r\n\r\n${stream}`,
          );
        }
        return respond(exchange, 404, { message: 'unscripted' });
      });
      onTestFinished(() => guest.close());
      const backend = await use('snapshot').connect(guest.socketPath);
      for (const image of ['busybox', 'busybox:1.36', 'localhost:5000/tools/busybox']) {
        await expect(backend.create(image), image).rejects.toMatchObject({
          code: 'ERR_SNAPSHOT_PULL_FAILED',
        });
      }
      expect(pulls.map((query) => [query.get('fromImage'), query.get('tag')])).toEqual([
        ['busybox', 'latest'],
        ['busybox', '1.36'],
        ['localhost:5000/tools/busybox', 'latest'],
      ]);
    },
  );

  clause('SNP-13', 'rejects an exec whose exit code stays null', async ({ use, expect, onTestFinished }) => {
    const guest = await startExecDaemon({
      frames: [{ stream: 'stdout', text: 'partial\n' }],
      exitCode: null,
    });
    onTestFinished(() => guest.close());
    await using vm = await (await use('snapshot').connect(guest.socketPath)).create('any:1');
    const lines: string[] = [];
    await expect(
      vm.exec('true', {}, { onStdout: (line) => lines.push(line), onStderr: () => undefined }),
    ).rejects.toMatchObject({ code: 'ERR_SNAPSHOT_EXIT_UNKNOWN' });
    expect(lines).toEqual(['partial']);
  });

  clause('SNP-14', 'reassembles lines split across frames', async ({ use, expect, onTestFinished }) => {
    const guest = await startExecDaemon({
      frames: [
        { stream: 'stdout', text: 'hel' },
        { stream: 'stderr', text: 'warn' },
        { stream: 'stdout', text: 'lo wor' },
        { stream: 'stderr', text: 'ing\r\n' },
        { stream: 'stdout', text: 'ld\nsecond\n\nlast without newline' },
      ],
      exitCode: 0,
    });
    onTestFinished(() => guest.close());
    await using vm = await (await use('snapshot').connect(guest.socketPath)).create('any:1');
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await vm.exec(
      'true',
      {},
      { onStdout: (l) => stdout.push(l), onStderr: (l) => stderr.push(l) },
    );
    expect(code).toBe(0);
    expect(stdout).toEqual(['hello world', 'second', '', 'last without newline']);
    expect(stderr).toEqual(['warning']);
  });

  clause('SNP-16', 'builds valid lower-case cached keys and rejects invalid ones', ({ use, expect }) => {
    const facet = use('snapshot');
    const valid =
      /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:\w[\w.-]{0,127}$/;
    fc.assert(
      fc.property(stepKeyArb, cacheKeyArb, (step, key) => {
        const built = facet.buildCacheKey(step, key);
        expect(built).toMatch(valid);
        expect(facet.snapshotTarget({ kind: 'cached', key: built }, CONTAINER).repository).toBe(
          built.split(':')[0],
        );
      }),
    );
    fc.assert(
      fc.property(registryHostArb, repositoryPathArb, tagArb, (host, path, tag) => {
        expect(facet.snapshotTarget({ kind: 'cached', key: `${host}/${path}:${tag}` }, CONTAINER)).toEqual({
          repository: `${host}/${path}`,
          tag,
        });
      }),
    );
    expect(facet.buildCacheKey('my/step.name:v1', '0123456789abcdef0123')).toBe(
      'berth-cache/my-step-name-v1:0123456789abcdef',
    );
    for (const key of ['Upper/Case:tag', 'repo:bad tag', 'repo@sha256:' + 'a'.repeat(64), 'a//b:c', ':tag']) {
      expect(() => facet.snapshotTarget({ kind: 'cached', key }, CONTAINER), key).toThrow(
        expect.objectContaining({ code: 'ERR_SNAPSHOT_INVALID_KEY' }),
      );
    }
  });
});
