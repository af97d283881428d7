export { UnixSocketConnector, type UnixSocketConnectorOptions } from './unix-socket-connector.js';
