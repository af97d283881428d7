import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** Where Debian's `chromium` package puts its launcher; BERTH_CHROMIUM overrides. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The Chromium executable to use (BERTH_CHROMIUM when set, else Debian's), or undefined when it is missing. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.BERTH_CHROMIUM?.trim() || DEFAULT_CHROMIUM;
  return existsSync(path) ? path : undefined;
}

/**
 * How many processes of a process group are still running (zombies waiting for init to reap them
 * are dead and not counted). Reads /proc on Linux; elsewhere 1 while the group exists at all.
 */
export function liveProcessesInGroup(pgid: number): number {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return 1;
    } catch {
      return 0;
    }
  }
  let live = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') live += 1;
  }
  return live;
}

export class ChromiumError extends Error {
  readonly code = 'ERR_TEST_CHROMIUM';
}

interface DevtoolsMessage {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string };
  readonly sessionId?: string;
}

/** A page (tab) of the browser, reached through a flattened DevTools session. */
export interface ChromiumPage {
  /** Loads `url` and resolves once its load event fired. */
  goto(url: string): Promise<void>;
  /** Evaluates an expression in the page and returns its (JSON) value; promises are awaited. */
  evaluate<T>(expression: string): Promise<T>;
  /** A real mouse click (pressed and released) at the centre of the first element matching `selector`. */
  click(selector: string): Promise<void>;
  /** A PNG of the whole page (for looking at a failure). */
  screenshot(): Promise<Buffer>;
  /** Texts of the JavaScript dialogs (alert, confirm, prompt) the page opened; each one was dismissed. */
  readonly dialogs: readonly string[];
  /** Uncaught exceptions and console/log errors (CSP violations included). */
  readonly errors: readonly string[];
  close(): Promise<void>;
}

export interface HeadlessChromium extends AsyncDisposable {
  readonly pid: number;
  newPage(options?: { readonly bypassCsp?: boolean }): Promise<ChromiumPage>;
  /** Closes the browser, kills whatever is left of its process group and removes its profile folder. */
  close(): Promise<void>;
}

const COMMAND_TIMEOUT_MS = 15_000;

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts headless Chromium with a fresh profile folder and drives it over the DevTools protocol
 * on `--remote-debugging-pipe` (fd 3: commands in, fd 4: replies out, each message ending in NUL).
 * No websocket and no port: nothing else can talk to it, and it dies with its pipes.
 */
export async function createHeadlessChromium(executable: string): Promise<HeadlessChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'berth-chromium-'));
  const child = spawn(
    executable,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-dev-shm-usage',
      '--mute-audio',
      '--window-size=1280,900',
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ],
    // A process group of its own, so that close() can end every helper process it forked.
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true },
  );
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let nextId = 0;
  const pending = new Map<number, { resolve: (m: DevtoolsMessage) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(message: DevtoolsMessage) => void>();
  let buffer = '';
  fromBrowser.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
      const message = JSON.parse(buffer.slice(0, end)) as DevtoolsMessage;
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined)
          waiter?.reject(new ChromiumError(`DevTools: ${message.error.message}`));
        else waiter?.resolve(message);
      } else {
        for (const listener of listeners) listener(message);
      }
    }
  });
  fromBrowser.on('error', () => undefined);
  toBrowser.on('error', () => undefined);
  void exit.then(() => {
    for (const waiter of pending.values()) {
      waiter.reject(
        new ChromiumError(`Chromium exited (code ${child.exitCode}); stderr: ${stderr.slice(-1000)}`),
      );
    }
    pending.clear();
  });

  const send = (
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<DevtoolsMessage> => {
    if (exited(child)) return Promise.reject(new ChromiumError(`Chromium has exited; cannot send ${method}`));
    const id = ++nextId;
    return new Promise<DevtoolsMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new ChromiumError(`DevTools ${method} got no answer in ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      pending.set(id, {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      toBrowser.write(
        `${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`,
      );
    });
  };

  const waitForEvent = (method: string, sessionId: string): Promise<DevtoolsMessage> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new ChromiumError(`no ${method} in ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      const listener = (message: DevtoolsMessage): void => {
        if (message.method !== method || message.sessionId !== sessionId) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(message);
      };
      listeners.add(listener);
    });

  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      // 1. Ask politely, 2. wait for the exit, 3. kill the whole process group, 4. remove the profile.
      if (!exited(child)) await send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
      killGroup('SIGKILL');
      const deadline = Date.now() + 5000;
      while (child.pid !== undefined && liveProcessesInGroup(child.pid) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      fromBrowser.destroy();
      toBrowser.destroy();
      child.stderr?.destroy();
      listeners.clear();
      await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    })();
    return closed;
  };

  try {
    if (child.pid === undefined) throw new ChromiumError(`could not start ${executable}`);
    await send('Browser.getVersion');
  } catch (error) {
    await close();
    throw new ChromiumError(`Chromium did not start: ${String(error)}; stderr: ${stderr.slice(-1000)}`, {
      cause: error,
    });
  }
  const pid = child.pid;

  const newPage = async (options: { readonly bypassCsp?: boolean } = {}): Promise<ChromiumPage> => {
    const created = await send('Target.createTarget', { url: 'about:blank' });
    const targetId = created.result?.targetId as string;
    const attached = await send('Target.attachToTarget', { targetId, flatten: true });
    const sessionId = attached.result?.sessionId as string;
    const dialogs: string[] = [];
    const errors: string[] = [];
    const onEvent = (message: DevtoolsMessage): void => {
      if (message.sessionId !== sessionId) return;
      const params = message.params ?? {};
      if (message.method === 'Page.javascriptDialogOpening') {
        dialogs.push(String(params.message));
        void send('Page.handleJavaScriptDialog', { accept: false }, sessionId).catch(() => undefined);
      } else if (message.method === 'Runtime.exceptionThrown') {
        errors.push(JSON.stringify(params.exceptionDetails));
      } else if (message.method === 'Log.entryAdded') {
        const entry = params.entry as { level?: string; text?: string } | undefined;
        if (entry?.level === 'error') errors.push(entry.text ?? 'log error');
      } else if (message.method === 'Runtime.consoleAPICalled' && params.type === 'error') {
        errors.push(JSON.stringify(params.args));
      }
    };
    listeners.add(onEvent);
    await Promise.all([
      send('Page.enable', {}, sessionId),
      send('Runtime.enable', {}, sessionId),
      send('Log.enable', {}, sessionId),
      ...(options.bypassCsp === true ? [send('Page.setBypassCSP', { enabled: true }, sessionId)] : []),
    ]);

    const evaluate = async <T>(expression: string): Promise<T> => {
      const answer = await send(
        'Runtime.evaluate',
        { expression, returnByValue: true, awaitPromise: true },
        sessionId,
      );
      const details = answer.result?.exceptionDetails as
        { text?: string; exception?: { description?: string } } | undefined;
      if (details !== undefined) {
        throw new ChromiumError(
          `page threw: ${details.exception?.description ?? details.text ?? 'an exception'}`,
        );
      }
      return (answer.result?.result as { value: T }).value;
    };

    return {
      dialogs,
      errors,
      async goto(url) {
        const loaded = waitForEvent('Page.loadEventFired', sessionId);
        const navigated = await send('Page.navigate', { url }, sessionId);
        if (typeof navigated.result?.errorText === 'string') {
          loaded.catch(() => undefined);
          throw new ChromiumError(`cannot load ${url}: ${navigated.result.errorText}`);
        }
        await loaded;
      },
      evaluate,
      async click(selector) {
        const box = await evaluate<{ x: number; y: number } | null>(`(() => {
          const element = document.querySelector(${JSON.stringify(selector)});
          if (element === null) return null;
          element.scrollIntoView({ block: 'center' });
          const rect = element.getBoundingClientRect();
          return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
        })()`);
        if (box === null) throw new ChromiumError(`no element matches ${selector}`);
        for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased']) {
          await send(
            'Input.dispatchMouseEvent',
            { type, x: box.x, y: box.y, button: type === 'mouseMoved' ? 'none' : 'left', clickCount: 1 },
            sessionId,
          );
        }
      },
      async screenshot() {
        const shot = await send(
          'Page.captureScreenshot',
          { format: 'png', captureBeyondViewport: true },
          sessionId,
        );
        return Buffer.from(String(shot.result?.data), 'base64');
      },
      async close() {
        listeners.delete(onEvent);
        await send('Target.closeTarget', { targetId }).catch(() => undefined);
      },
    };
  };

  return { pid, newPage, close, [Symbol.asyncDispose]: close };
}
