import { spawn } from 'node:child_process';

export interface DockerCliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DockerCliOptions {
  /** The docker binary (default `docker` from PATH). */
  readonly binary?: string;
  /** DOCKER_HOST for this run. */
  readonly host: string;
  /** DOCKER_CONFIG: a private folder, so a user's config and contexts never leak in. */
  readonly config: string;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/**
 * Runs the real docker CLI once. DOCKER_API_VERSION and DOCKER_CONTEXT are removed, so the CLI
 * negotiates the version through HEAD /_ping as a user's would. Rejects when it outlives the timeout.
 */
export function runDockerCli(args: readonly string[], options: DockerCliOptions): Promise<DockerCliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: options.host, DOCKER_CONFIG: options.config };
  delete env.DOCKER_API_VERSION;
  delete env.DOCKER_CONTEXT;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const child = spawn(options.binary ?? 'docker', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')} took more than ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}
