import { displayContainerId, type ContainerId, type ServiceSpec } from '../../protocol/runtime.js';
import type { ClauseContext } from '../harness/clause.js';
import type { Target } from '../targets/target.js';
import { ClauseViolationError } from '../support/suite-errors.js';

export type DispatchFacet = NonNullable<Target['dispatch']>;
export type Mock = ReturnType<DispatchFacet['mockRuntime']>;
export type Journal = Mock['calls'];
export type OsInspector = NonNullable<Parameters<DispatchFacet['create']>[0]['osInspector']>;
export type MarkerInspector = NonNullable<Parameters<DispatchFacet['create']>[0]['markerInspector']>;

export interface RigOptions {
  readonly delegate?: boolean;
  readonly vz?: boolean;
  readonly vzLinux?: boolean;
  readonly osInspector?: OsInspector;
  readonly markerInspector?: MarkerInspector;
}

export interface Rig {
  readonly facet: DispatchFacet;
  readonly composite: Awaited<ReturnType<DispatchFacet['create']>>;
  readonly primary: Mock;
  readonly delegate: Mock;
  readonly vz: Mock;
  readonly vzLinux: Mock;
  /** Every mock's calls, in order. */
  readonly journal: Journal;
}

/**
 * A composite over mock runtimes named primary, delegate, vz and vz-linux. Unconfigured mocks
 * exist but are not handed to the composite (so they must stay silent). Every mock is checked as
 * fully consumed when the test ends.
 */
export async function mockRig(context: ClauseContext, options: RigOptions = {}): Promise<Rig> {
  const facet = context.use('dispatch');
  const journal: Journal = [];
  const primary = facet.mockRuntime('primary', journal);
  const delegate = facet.mockRuntime('delegate', journal);
  const vz = facet.mockRuntime('vz', journal);
  const vzLinux = facet.mockRuntime('vz-linux', journal);
  context.onTestFinished(() => {
    for (const mock of [primary, delegate, vz, vzLinux]) mock.assertConsumed();
  });
  const composite = await facet.create({
    primary,
    ...(options.delegate === true ? { delegate } : {}),
    ...(options.vz === true ? { vz } : {}),
    ...(options.vzLinux === true ? { vzLinux } : {}),
    ...(options.osInspector === undefined ? {} : { osInspector: options.osInspector }),
    ...(options.markerInspector === undefined ? {} : { markerInspector: options.markerInspector }),
  });
  return { facet, composite, primary, delegate, vz, vzLinux, journal };
}

/** The runtimes that received a call of `method` for `id`, in order. */
export function receivers(journal: Journal, method: string, id?: ContainerId): string[] {
  return journal
    .filter((call) => call.method === method && (id === undefined || call.id === displayContainerId(id)))
    .map((call) => call.runtime);
}

export const cid = (service: string, replica = 1): ContainerId => ({ service, replica });

export function spec(
  image: string,
  platform?: ServiceSpec['platform'],
  labels: Record<string, string> = {},
): ServiceSpec {
  return platform === undefined ? { image, labels } : { image, platform, labels };
}

export const isolation = (value: string): Record<string, string> => ({ 'com.zlayer.isolation': value });

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** What a rejected call threw (fails when it resolved). */
export interface Caught {
  readonly code?: string;
  readonly reason?: string;
  readonly [field: string]: unknown;
}

export async function caught(promise: Promise<unknown>): Promise<Caught> {
  try {
    await promise;
  } catch (error) {
    return error as Caught;
  }
  throw new ClauseViolationError('expected the call to fail, and it succeeded');
}
