export { referenceHello, serveDriver, type DriverKind, type ServeDriverOptions } from './serve-driver.js';
