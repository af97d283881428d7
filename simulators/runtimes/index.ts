export {
  FakeImageInspector,
  type FakeImageInspectorOptions,
  type InspectorCache,
} from './fake-image-inspector.js';
export { FakeRuntime, type FakeRuntimeOptions } from './fake-runtime.js';
export {
  logStreamOf,
  MockRuntime,
  statsStreamOf,
  UnconsumedScriptError,
  type Outcome,
  type RuntimeCall,
  type RuntimeMethod,
} from './mock-runtime.js';
