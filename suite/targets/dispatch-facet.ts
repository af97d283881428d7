import type { ImageInspector, OsKind, Runtime, RuntimeMarker } from '../../protocol/runtime.js';
import type {
  FakeImageInspector,
  FakeImageInspectorOptions,
  FakeRuntime,
  FakeRuntimeOptions,
  MockRuntime,
  RuntimeCall,
} from '../../simulators/runtimes/index.js';

/** The runtimes (and image inspectors) a composite under test is built over. */
export interface DispatchRuntimes {
  readonly primary: Runtime;
  readonly delegate?: Runtime;
  readonly vz?: Runtime;
  readonly vzLinux?: Runtime;
  readonly osInspector?: ImageInspector<OsKind>;
  readonly markerInspector?: ImageInspector<RuntimeMarker>;
}

/**
 * A composite runtime dispatcher (CMP clauses) and the runtime doubles it is tested over. The
 * doubles are the suite's own; only `create` reaches the implementation under test.
 */
export interface DispatchFacet {
  /** A scripted runtime; its calls also go to `journal` when given. */
  mockRuntime(name: string, journal?: RuntimeCall[]): MockRuntime;
  /** A working in-memory runtime. */
  fakeRuntime(name: string, options?: FakeRuntimeOptions): FakeRuntime;
  /** An image inspector over in-memory local caches (and an optional registry). */
  imageInspector<T>(options?: FakeImageInspectorOptions<T>): FakeImageInspector<T>;
  /** A composite runtime over `runtimes`, with empty dispatch and image caches. */
  create(runtimes: DispatchRuntimes): Promise<Runtime>;
}
