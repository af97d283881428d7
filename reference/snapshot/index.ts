export { createDockerBackend, type DockerBackend, type DockerBackendOptions } from './docker-backend.js';
export { buildDirectoryTar } from './directory-tar.js';
export { createLineSplitter, type LineSplitter } from './line-splitter.js';
export * from './snapshot-errors.js';
export {
  createSnapshotExecutor,
  type ExecuteOptions,
  type SnapshotExecutor,
  type SnapshotExecutorOptions,
} from './snapshot-executor.js';
export {
  buildCacheKey,
  EPHEMERAL_REPOSITORY,
  parseRepositoryAndTag,
  pullTarget,
  repositoryProblem,
  snapshotTarget,
} from './snapshot-reference.js';
export {
  compareForEviction,
  openSnapshotRegistry,
  type RegistryEntry,
  type SnapshotRegistry,
  type SnapshotRegistryOptions,
} from './snapshot-registry.js';
export * from './snapshot-types.js';
