import { serveDriver, type DriverKind } from '../reference/driver/index.js';

/**
 * `berth driver registry|dispatch`: serves a reference component over the driver protocol on
 * stdin/stdout (docs/driver-protocol.md) until stdin ends; exits 0 then. stdout carries protocol
 * lines only: anything the process would log goes to stderr.
 */
export async function runDriver(kind: DriverKind): Promise<number> {
  const toStderr = (...values: unknown[]): void => console.error(...values);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  const clean = await serveDriver(kind, {
    input: process.stdin,
    output: process.stdout,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  return clean ? 0 : 1;
}
