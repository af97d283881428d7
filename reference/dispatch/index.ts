export {
  CompositeRuntime,
  createCompositeRuntime,
  type CompositeRuntimeOptions,
  type DispatchTarget,
} from './composite-runtime.js';
export { logChunksFromSnapshot, statsSampleFromSnapshot } from './one-shot-streams.js';
export { ReadFailures } from './read-failures.js';
export * from './registry-image-inspector.js';
export * from './registry-errors.js';
