import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import {
  DRIVER_OPS,
  DRIVER_PROTOCOL_VERSION,
  type DriverHello,
} from '../../protocol/driver/driver-protocol.js';
import { DriverPeer } from '../../protocol/driver/driver-peer.js';
import { serveDispatch } from './dispatch-service.js';
import { serveRegistry } from './registry-service.js';

export type DriverKind = 'registry' | 'dispatch';

export interface ServeDriverOptions {
  /** Requests from the suite (process.stdin). */
  readonly input: Readable;
  /** Protocol lines to the suite (process.stdout): nothing else is ever written here. */
  readonly output: Writable;
  /** Diagnostics (process.stderr). */
  readonly log?: (line: string) => void;
}

function berthVersion(): string {
  try {
    const path = new URL('../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** What the reference driver of `kind` says about itself. */
export function referenceHello(kind: DriverKind): DriverHello {
  return {
    name: `berth-reference-${kind}`,
    version: berthVersion(),
    protocol: DRIVER_PROTOCOL_VERSION,
    components: [kind],
  };
}

/**
 * Serves a reference component over the driver protocol until the input ends. Resolves true on
 * a clean end of input, false when the streams failed. Malformed lines are reported to `log`
 * and skipped (the suite is the one that gives up on a broken peer).
 */
export async function serveDriver(kind: DriverKind, options: ServeDriverOptions): Promise<boolean> {
  const log = options.log ?? ((): void => undefined);
  let ended = false;
  options.input.once('end', () => (ended = true));
  const peer = new DriverPeer({
    input: options.input,
    output: options.output,
    streamPrefix: 'd',
    onMalformedLine: (error) => log(`berth driver ${kind}: skipped a line: ${error.message}`),
  });
  const hello = referenceHello(kind);
  peer.handle(DRIVER_OPS.hello, () => hello);
  if (kind === 'registry') serveRegistry(peer);
  else serveDispatch(peer);
  const reason = await peer.closed;
  if (!ended) log(`berth driver ${kind}: ${reason.message}`);
  return ended;
}
