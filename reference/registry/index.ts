export { SortedKeyIndex } from './sorted-key-index.js';
export { isCanonicalId, isHexShortId, normaliseKey } from './workload-keys.js';
export { createWorkloadRegistry, WorkloadRegistry } from './workload-registry.js';
