/** The reference HTTP upgrade bridge (UPG clauses): attach, exec start and BuildKit /session. */
export { bridgeUpgrade, DEFAULT_HANDSHAKE_TIMEOUT_MS } from './bridge-upgrade.js';
export type { BridgeOptions, BridgeOutcome, UpgradeRequest } from './upgrade-request.js';
export {
  BadUpgradeRequestError,
  ClientGoneError,
  GuestBadResponseError,
  GuestBodyError,
  GuestClosedError,
  GuestConnectionError,
  HandshakeTimeoutError,
  StreamResetError,
} from './bridge-errors.js';
