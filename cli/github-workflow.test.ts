import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startBerth } from './berth-process.test-helper.js';

const WORKFLOW = join(import.meta.dirname, '..', 'docs', 'ci', 'github-actions.yml');

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

async function workflow(): Promise<{ env: Record<string, string>; steps: Step[] }> {
  const document = parse(await readFile(WORKFLOW, 'utf8')) as {
    env: Record<string, string>;
    jobs: { conformance: { steps: Step[] } };
  };
  return { env: document.env, steps: document.jobs.conformance.steps };
}

function step(steps: readonly Step[], name: string): Step {
  const found = steps.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`the workflow has no step named '${name}'`);
  return found;
}

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

// Some tests start berth as a child process: seconds on a busy machine.
describe('docs/ci/github-actions.yml', { timeout: 60_000 }, () => {
  it('runs berth into one folder that the summary, upload and badge steps read, even after a failure', async () => {
    const { env, steps } = await workflow();
    const run = step(steps, 'Run berth');
    expect(run.run).toMatch(/^npx berth run --target docker /);
    expect(run.run).toContain('--out "$BERTH_OUT"');
    expect(env.BERTH_OUT).toBeDefined();
    const upload = step(steps, 'Upload the reports');
    expect(upload.uses).toMatch(/^actions\/upload-artifact@/);
    expect(upload.with?.path).toBe('${{ env.BERTH_OUT }}');
    for (const name of ['Summary on the run page', 'Upload the reports', 'Publish the badges']) {
      expect(step(steps, name).if, name).toMatch(/always\(\)/);
    }
    expect(step(steps, 'Summary on the run page').run).toContain('$BERTH_OUT/summary.md');
  });

  it("the run step's flags are ones berth run accepts (it gets past flag checks to the daemon probe)", async () => {
    const { steps } = await workflow();
    const command = step(steps, 'Run berth').run!;
    const args = command
      .replace(/^npx berth /, '')
      .replace('unix:///var/run/docker.sock', 'unix:///nonexistent/berth-ci-check.sock')
      .replace('"$BERTH_OUT"', join(tmpdir(), 'berth-workflow-check'))
      .split(/\s+/);
    const berth = startBerth(args, { env: { ...process.env, CI: 'true' } });
    const code = await berth.exited;
    // Exit 2 would be a flag the CLI rejects; 1 with the probe's message means every flag parsed.
    expect(berth.errors).toContain('cannot run against --target docker');
    expect(code).toBe(1);
  });

  it('the badge step pushes every badge to the berth-badges branch of the remote', async () => {
    const { steps } = await workflow();
    const script = step(steps, 'Publish the badges').run!;
    const root = await mkdtemp(join(tmpdir(), 'berth-badges-'));
    temps.push(root);
    const remote = join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const out = join(root, 'reports');
    await mkdir(join(out, 'badges'), { recursive: true });
    await writeFile(join(out, 'badges', 'conformance.svg'), '<svg>overall</svg>');
    await writeFile(join(out, 'badges', 'proxy.svg'), '<svg>proxy</svg>');

    const result = spawnSync('bash', ['-c', script], {
      env: { ...process.env, BERTH_OUT: out, BADGE_REMOTE: remote, GITHUB_SHA: 'abc123' },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const files = execFileSync('git', ['--git-dir', remote, 'ls-tree', '--name-only', 'berth-badges'], {
      encoding: 'utf8',
    });
    expect(files.trim().split('\n').sort()).toEqual(['conformance.svg', 'proxy.svg']);
    const svg = execFileSync('git', ['--git-dir', remote, 'show', 'berth-badges:proxy.svg'], {
      encoding: 'utf8',
    });
    expect(svg).toBe('<svg>proxy</svg>');
  });

  it('the badge step does nothing, successfully, when the run wrote no badges', async () => {
    const { steps } = await workflow();
    const script = step(steps, 'Publish the badges').run!;
    const root = await mkdtemp(join(tmpdir(), 'berth-badges-'));
    temps.push(root);
    const result = spawnSync('bash', ['-c', script], {
      env: { ...process.env, BERTH_OUT: join(root, 'missing'), BADGE_REMOTE: join(root, 'nowhere.git') },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('no badges were written');
  });
});
