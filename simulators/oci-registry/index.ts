export {
  createMockOciRegistry,
  setupMockOciRegistries,
  type MockOciImage,
  type MockOciRegistry,
  type MockOciRegistryOptions,
} from './mock-oci-registry.js';
