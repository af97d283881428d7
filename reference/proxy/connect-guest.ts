import type { Duplex } from 'node:stream';
import { ConnectTimeoutError, type Connector, type Role } from '../../protocol/connector.js';
import { hasErrorCode } from '../../protocol/errors.js';
import { GuestTimeoutError, GuestUnavailableError } from './proxy-errors.js';

/** Opens a stream to the role's guest; connect failures become 504 (timeout) or 502 (the rest). */
export async function connectGuest(connector: Connector, role: Role, signal?: AbortSignal): Promise<Duplex> {
  try {
    return await connector.connect(role, signal === undefined ? {} : { signal });
  } catch (error) {
    if (error instanceof ConnectTimeoutError || hasErrorCode(error, 'ERR_CONNECT_TIMEOUT')) {
      throw new GuestTimeoutError(role, 'did not accept a connection in time', { cause: error });
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new GuestUnavailableError(role, reason, { cause: error });
  }
}
