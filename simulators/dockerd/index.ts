/**
 * The simulated guest dockerd: dockerd 20.10 (API 1.41) as a client sees it, over an in-memory
 * duplex (accept / emit('connection')), a unix socket or loopback TCP (listen). Containers run a
 * small program model (busybox sh and applets) so that logs, attach and exec carry real output.
 */
export {
  createSimulatedDockerd,
  type SimulatedDockerd,
  type SimulatedDockerdOptions,
} from './simulated-dockerd.js';
export type { DockerdFault, FaultRegistry, FaultRule } from './api/fault-registry.js';
export type { SeedImage } from './engine/seed-image.js';
export type { DockerEngine, WaitResult } from './engine/docker-engine.js';
export {
  DockerdConflictError,
  DockerdError,
  DockerdInvalidParameterError,
  DockerdNotFoundError,
  DockerdNotModifiedError,
  DockerdSystemError,
  SimulatorUsageError,
} from './dockerd-errors.js';
