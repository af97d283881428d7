import fc from 'fast-check';
import type { ContainerId, OsKind, RuntimeMarker, ServiceSpec } from '../../../protocol/runtime.js';

/** Images in bare and qualified spellings, so pulls and creates disagree on spelling often. */
export const IMAGE_SPELLINGS: readonly (readonly string[])[] = [
  ['alpine', 'alpine:latest', 'docker.io/library/alpine:latest'],
  ['acme/app:1', 'docker.io/acme/app:1'],
  ['ghcr.io/acme/tool:2'],
  ['mcr.microsoft.com/windows/nanoserver:ltsc2022'],
];

export const imageArb: fc.Arbitrary<string> = fc.constantFrom(...IMAGE_SPELLINGS.flat());

/** Which optional runtimes a composite has. */
export interface DispatchConfig {
  readonly delegate: boolean;
  readonly vz: boolean;
  readonly vzLinux: boolean;
}

export const dispatchConfigArb: fc.Arbitrary<DispatchConfig> = fc.record({
  delegate: fc.boolean(),
  vz: fc.boolean(),
  vzLinux: fc.boolean(),
});

export const osKindArb: fc.Arbitrary<OsKind> = fc.constantFrom('linux', 'windows', 'macos');
export const markerArb: fc.Arbitrary<RuntimeMarker> = fc.constantFrom('vz', 'vz-linux');

/** What the local caches know: an OS and a marker for some images (keyed by the first spelling). */
export interface ImageKnowledge {
  readonly os: Readonly<Record<string, OsKind>>;
  readonly markers: Readonly<Record<string, RuntimeMarker>>;
}

const firstSpellings = IMAGE_SPELLINGS.map((spellings) => spellings[0] ?? '');

export const imageKnowledgeArb: fc.Arbitrary<ImageKnowledge> = fc.record({
  os: fc.dictionary(fc.constantFrom(...firstSpellings), osKindArb, { maxKeys: 4 }),
  markers: fc.dictionary(fc.constantFrom(...firstSpellings), markerArb, { maxKeys: 2 }),
});

export const containerIdArb: fc.Arbitrary<ContainerId> = fc.record({
  service: fc.constantFrom('web', 'db', 'job'),
  replica: fc.integer({ min: 1, max: 2 }),
});

const isolationArb = fc.constantFrom('vz', 'VZ-Linux', 'vm', 'libkrun', 'sandbox', 'seatbelt', 'firecracker');

export const serviceSpecArb: fc.Arbitrary<ServiceSpec> = fc
  .record({
    image: imageArb,
    platform: fc.option(osKindArb, { nil: undefined }),
    isolation: fc.option(isolationArb, { nil: undefined }),
  })
  .map(({ image, platform, isolation }) => ({
    image,
    ...(platform === undefined ? {} : { platform: { os: platform } }),
    labels: isolation === undefined ? {} : { 'com.zlayer.isolation': isolation },
  }));
