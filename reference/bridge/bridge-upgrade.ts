import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { HTTP_HEAD_MAX_BYTES } from '../../protocol/http-head.js';
import { answerError } from './answer-error.js';
import { BadUpgradeRequestError } from './bridge-errors.js';
import { buildGuestRequest } from './build-guest-request.js';
import { exchangeHead } from './exchange-head.js';
import { relayBody } from './relay-body.js';
import { spliceStreams } from './splice-streams.js';
import { swallowErrors } from './stream-control.js';
import { waitClosed } from '../../protocol/wait-closed.js';
import type { BridgeOptions, BridgeOutcome, UpgradeRequest } from './upgrade-request.js';

/** UPG-8: upstream's HANDSHAKE_TIMEOUT. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;

/**
 * Replays the client's upgrade request (attach, exec start, BuildKit /session) to the guest as raw
 * HTTP/1.1 and relays the answer:
 * 1. a 101 becomes the client's 101 (UPG-10) and the two streams are spliced with half-close
 *    (UPG-11..15, UPG-17, UPG-21);
 * 2. a 200 raw stream without length or chunking (a hijack without upgrade) is relayed head first,
 *    then spliced the same way (UPG-16);
 * 3. any other answer is relayed whole: status, end-to-end headers, body (UPG-9, UPG-18..20).
 * A guest that fails before a usable head gets the client a Docker error (502, or 504 on timeout).
 *
 * `client` is the client's connection after its request head and body; `clientRest` the bytes it
 * sent past its body, forwarded once the handshake is done. `guest` is a fresh guest connection.
 * The bridge owns both from now on and closes both. Resolves when both directions are over;
 * never rejects for anything the client or the guest does.
 */
export async function bridgeUpgrade(
  client: Duplex,
  clientRest: Buffer,
  request: UpgradeRequest,
  guest: Duplex,
  options: BridgeOptions = {},
): Promise<BridgeOutcome> {
  swallowErrors(client);
  swallowErrors(guest);
  // No byte the client sends may be read (and lost) while the guest has not answered.
  client.pause();
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const maxHeadBytes = options.maxHeadBytes ?? HTTP_HEAD_MAX_BYTES;

  let requestBytes: Buffer;
  try {
    requestBytes = buildGuestRequest(request);
  } catch (cause) {
    const error = new BadUpgradeRequestError({ cause });
    guest.destroy();
    await Promise.all([answerError(client, 400, error), waitClosed(guest)]);
    return { kind: 'failed', status: 400, error };
  }

  const exchange = await exchangeHead(client, guest, requestBytes, {
    method: request.method,
    timeoutMs,
    maxHeadBytes,
  });
  if (!exchange.ok) {
    guest.destroy();
    if (exchange.status === undefined) {
      client.destroy();
      await Promise.all([waitClosed(client), waitClosed(guest)]);
      return { kind: 'failed', error: exchange.error };
    }
    await Promise.all([answerError(client, exchange.status, exchange.error), waitClosed(guest)]);
    return { kind: 'failed', status: exchange.status, error: exchange.error };
  }

  const { plan, head, rest } = exchange;
  if (plan.kind === 'relay') {
    const relayed = await relayBody(client, guest, plan.clientHead, rest, plan.framing, timeoutMs);
    return { kind: 'relayed', status: head.status, ...relayed };
  }
  // UPG-14: the head, then what the guest sent with it; UPG-15: the client's early bytes first.
  const toClient = Buffer.concat([plan.clientHead, rest]);
  const spliced = await spliceStreams(client, guest, toClient, clientRest);
  return { kind: plan.kind === 'upgrade' ? 'upgraded' : 'hijacked', status: head.status, ...spliced };
}
