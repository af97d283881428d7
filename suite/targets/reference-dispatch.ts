import { createCompositeRuntime } from '../../reference/dispatch/index.js';
import { FakeImageInspector, FakeRuntime, MockRuntime } from '../../simulators/runtimes/index.js';
import type { DispatchFacet } from './dispatch-facet.js';

/** The reference composite runtime over the suite's runtime doubles. */
export const referenceDispatch: DispatchFacet = {
  mockRuntime: (name, journal) => new MockRuntime(name, journal),
  fakeRuntime: (name, options) => new FakeRuntime(name, options),
  imageInspector: (options) => new FakeImageInspector(options),
  create: (runtimes) => Promise.resolve(createCompositeRuntime(runtimes)),
};
