export type { ConnectionOutcome, ConnectionRecord } from './connection-log.js';
export {
  Faults,
  assertValidFaults,
  buildFaultScript,
  faultPlan,
  type FaultPlan,
  type FaultScript,
} from './faults.js';
export { FaultyConnector, type FaultyConnectorOptions } from './faulty-connector.js';
export { deliverToGuest, type GuestSink } from './guest-sink.js';
export {
  MAX_UNIX_PATH_BYTES,
  NotASocketError,
  UnixPathTooLongError,
  listenUnix,
  tempSocketPath,
  removeTempSocketDirs,
  type ListenUnixOptions,
  type UnixListener,
} from './listen-unix.js';
export { MemoryConnector, type MemoryConnectorOptions } from './memory-connector.js';
export {
  MemorySocket,
  SimulatedSocketError,
  createMemoryDuplexPair,
  isMemorySocket,
  liveMemorySockets,
  memorySocketProbe,
  resetMemorySocket,
  type MemoryDuplexPairOptions,
} from './memory-duplex-pair.js';
export { StreamReader, StreamReaderTimeoutError } from './stream-reader.js';
