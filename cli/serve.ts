import { request } from 'node:http';
import { isAbsolute } from 'node:path';
import { formatPlatform, parsePlatform, startProxy } from '../reference/proxy/index.js';
import { UnixSocketConnector } from '../reference/transport/index.js';
import { UsageError } from './cli-errors.js';
import { formatListenAddress, parseListenAddress } from './listen-address.js';
import type { ServeCliOptions } from './serve-options.js';

const ROLE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** What `berth serve` was asked to run: each role's guest socket and, if given, its platforms. */
export interface ServePlan {
  readonly listen: string;
  readonly guests: ReadonlyMap<string, string>;
  readonly platforms: ReadonlyMap<string, readonly string[]>;
  readonly defaultRole: string;
  readonly handshakeTimeoutMs: number;
  readonly allowRemote: boolean;
}

function splitPair(flag: string, text: string): [string, string] {
  const equals = text.indexOf('=');
  const role = equals === -1 ? '' : text.slice(0, equals);
  const value = equals === -1 ? '' : text.slice(equals + 1);
  if (!ROLE_NAME.test(role) || value === '') {
    throw new UsageError(`${flag} ${text}: expected ROLE=VALUE with a role such as native or amd64`);
  }
  return [role, value];
}

/** Checks the flags and turns them into a plan; every problem is a one-line UsageError. */
export function planServe(options: ServeCliOptions): ServePlan {
  const listen = formatListenAddress(
    parseListenAddress(options.listen, { allowRemote: options.allowRemote }),
  );
  const guests = new Map<string, string>();
  for (const entry of options.guest) {
    const [role, address] = splitPair('--guest', entry);
    if (guests.has(role)) throw new UsageError(`--guest ${entry}: role '${role}' has two guests`);
    const path = address.startsWith('unix://') ? address.slice('unix://'.length) : '';
    if (!isAbsolute(path))
      throw new UsageError(`--guest ${entry}: expected ${role}=unix:///absolute/path.sock`);
    guests.set(role, path);
  }
  if (guests.size === 0) throw new UsageError('at least one --guest ROLE=unix:///path.sock is required');
  const platforms = new Map<string, string[]>();
  for (const entry of options.platform ?? []) {
    const [role, list] = splitPair('--platform', entry);
    if (!guests.has(role)) throw new UsageError(`--platform ${entry}: role '${role}' has no --guest`);
    for (const text of list.split(',')) {
      const parsed = parsePlatform(text);
      if (parsed === undefined)
        throw new UsageError(`--platform ${entry}: '${text}' is not a platform such as linux/amd64`);
      platforms.set(role, [...(platforms.get(role) ?? []), formatPlatform(parsed)]);
    }
  }
  const defaultRole = options.defaultRole ?? [...guests.keys()][0]!;
  if (!guests.has(defaultRole)) {
    throw new UsageError(
      `--default-role ${defaultRole}: no --guest has that role (roles: ${[...guests.keys()].join(', ')})`,
    );
  }
  if (!Number.isInteger(options.handshakeTimeoutMs) || options.handshakeTimeoutMs <= 0) {
    throw new UsageError(`--handshake-timeout-ms ${options.handshakeTimeoutMs}: expected a positive integer`);
  }
  return {
    listen,
    guests,
    platforms,
    defaultRole,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    allowRemote: options.allowRemote,
  };
}

const ARCH_PLATFORMS: Readonly<Record<string, string>> = {
  amd64: 'linux/amd64',
  x86_64: 'linux/amd64',
  arm64: 'linux/arm64',
  aarch64: 'linux/arm64',
};

/** Asks a guest's `GET /version` for its `Arch`; undefined when it does not answer. */
export function probeGuestArch(socketPath: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      { socketPath, path: '/version', method: 'GET', agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            const arch = (JSON.parse(Buffer.concat(chunks).toString()) as { Arch?: unknown }).Arch;
            resolve(typeof arch === 'string' ? arch : undefined);
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    // A guest that switches protocols on a plain GET is no dockerd: no Arch, and no hanging start-up.
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(undefined);
    });
    // Whatever else ends the exchange without an answer (resolving twice is harmless).
    req.on('close', () => resolve(undefined));
    req.end();
  });
}

/** `berth serve`: the reference proxy in front of one guest dockerd per role, until SIGINT/SIGTERM. */
export async function runServe(options: ServeCliOptions): Promise<void> {
  const plan = planServe(options);
  const roles: { role: string; platforms: string[] }[] = [];
  for (const [role, path] of plan.guests) {
    let platforms = [...(plan.platforms.get(role) ?? [])];
    if (platforms.length === 0) {
      const arch = await probeGuestArch(path, plan.handshakeTimeoutMs);
      const platform = arch === undefined ? undefined : ARCH_PLATFORMS[arch];
      platforms = platform === undefined ? [] : [platform];
      console.log(
        platform === undefined
          ? `berth serve: role '${role}': guest at ${path} reported no usable Arch (${arch ?? 'no answer'}); it gets no platforms`
          : `berth serve: role '${role}': guest at ${path} reports Arch ${arch}, serving ${platform}`,
      );
    }
    roles.push({ role, platforms });
  }
  const connector = new UnixSocketConnector(Object.fromEntries(plan.guests));
  let proxy;
  try {
    proxy = await startProxy({
      listen: plan.listen,
      connector,
      roles,
      defaultRole: plan.defaultRole,
      handshakeTimeoutMs: plan.handshakeTimeoutMs,
      allowRemote: plan.allowRemote,
    });
  } catch (error) {
    await connector.closeAll();
    throw error;
  }
  const summary = roles.map((entry) => `${entry.role}=${entry.platforms.join(',') || '-'}`).join(' ');
  console.log(`berth serve listening on ${proxy.address} (roles ${summary}; default ${plan.defaultRole})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
  await connector.closeAll();
  console.log('berth serve stopped');
}
