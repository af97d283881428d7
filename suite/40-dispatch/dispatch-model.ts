import fc from 'fast-check';
import {
  displayContainerId,
  type ContainerId,
  type OsKind,
  type Runtime,
  type RuntimeMarker,
  type ServiceSpec,
} from '../../protocol/runtime.js';
import {
  containerIdArb,
  IMAGE_SPELLINGS,
  imageArb,
  serviceSpecArb,
  type DispatchConfig,
  type ImageKnowledge,
} from '../support/arbitraries/dispatch.js';
import type { DispatchFacet } from './dispatch-rig.js';
import { ClauseViolationError } from '../support/suite-errors.js';

export type Owner = 'primary' | 'delegate' | 'vz' | 'vz-linux';
type Fake = ReturnType<DispatchFacet['fakeRuntime']>;

/** The image group (all spellings of one image) a reference belongs to. */
const groupOf = (image: string): number =>
  IMAGE_SPELLINGS.findIndex((spellings) => spellings.includes(image));
const firstSpelling = (image: string): string => IMAGE_SPELLINGS[groupOf(image)]?.[0] ?? image;

/** A plain model of the dispatcher: what it has learned and which runtime owns each container. */
export class DispatchModel {
  readonly os = new Map<number, OsKind>();
  readonly markers = new Map<number, RuntimeMarker>();
  readonly owners = new Map<string, Owner>();

  constructor(
    readonly config: DispatchConfig,
    readonly knowledge: ImageKnowledge,
  ) {}

  pull(image: string): void {
    const known = firstSpelling(image);
    const os = this.knowledge.os[known];
    const marker = this.knowledge.markers[known];
    if (os !== undefined) this.os.set(groupOf(image), os);
    if (marker !== undefined) this.markers.set(groupOf(image), marker);
  }

  /** The owner the catalogue's CMP-1..CMP-6 give, or undefined for RouteToPeer. */
  select(spec: ServiceSpec): Owner | undefined {
    const { delegate, vz, vzLinux } = this.config;
    const label = spec.labels['com.zlayer.isolation']?.toLowerCase();
    if (label === 'vz' && vz) return 'vz';
    if (label === 'vz-linux' && vzLinux) return 'vz-linux';
    if ((label === 'vm' || label === 'libkrun') && delegate) return 'delegate';
    if (label === 'sandbox' || label === 'seatbelt') return 'primary';
    const marker = this.markers.get(groupOf(spec.image));
    if (marker === 'vz' && vz) return 'vz';
    if (marker === 'vz-linux' && vzLinux) return 'vz-linux';
    const os = spec.platform?.os ?? this.os.get(groupOf(spec.image));
    if (os === 'windows' || os === 'macos') return 'primary';
    if (os === 'linux') return vzLinux ? 'vz-linux' : delegate ? 'delegate' : undefined;
    return vzLinux ? 'vz-linux' : 'primary';
  }
}

export interface DispatchSystem {
  readonly composite: Runtime;
  readonly fakes: ReadonlyMap<Owner, Fake>;
}

type DispatchCommand = fc.AsyncCommand<DispatchModel, DispatchSystem>;

function fail(message: string): never {
  throw new ClauseViolationError(message);
}

/** Every runtime holds exactly the containers the model says it owns. */
function checkOwnership(model: DispatchModel, system: DispatchSystem, after: string): void {
  for (const [owner, fake] of system.fakes) {
    const expected = [...model.owners]
      .filter(([, o]) => o === owner)
      .map(([id]) => id)
      .sort();
    const actual = fake.containerIds().sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      fail(
        `after ${after}: ${owner} holds ${JSON.stringify(actual)}, the model says ${JSON.stringify(expected)}`,
      );
    }
  }
}

/** An error's code, or its message when it has none. */
const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown error';
};

class PullCommand implements DispatchCommand {
  constructor(readonly image: string) {}
  check(): boolean {
    return true;
  }
  async run(model: DispatchModel, system: DispatchSystem): Promise<void> {
    await system.composite.pullImage(this.image);
    model.pull(this.image);
    checkOwnership(model, system, this.toString());
  }
  toString(): string {
    return `pull(${this.image})`;
  }
}

class CreateCommand implements DispatchCommand {
  constructor(
    readonly id: ContainerId,
    readonly spec: ServiceSpec,
  ) {}
  check(model: DispatchModel): boolean {
    return !model.owners.has(displayContainerId(this.id));
  }
  async run(model: DispatchModel, system: DispatchSystem): Promise<void> {
    const expected = model.select(this.spec);
    let outcome: string | undefined;
    try {
      await system.composite.createContainer(this.id, this.spec);
    } catch (error) {
      outcome = codeOf(error);
    }
    if (expected === undefined) {
      if (outcome !== 'ERR_RUNTIME_ROUTE_TO_PEER')
        fail(`${this.toString()}: expected RouteToPeer, got ${outcome ?? 'success'}`);
    } else {
      if (outcome !== undefined) fail(`${this.toString()}: expected ${expected}, got ${outcome}`);
      model.owners.set(displayContainerId(this.id), expected);
    }
    checkOwnership(model, system, this.toString());
  }
  toString(): string {
    return `create(${displayContainerId(this.id)}, ${JSON.stringify(this.spec)})`;
  }
}

/** Starts an owned container, then asks it its runtime's name and its state. */
class StartCommand implements DispatchCommand {
  constructor(readonly id: ContainerId) {}
  check(model: DispatchModel): boolean {
    return model.owners.has(displayContainerId(this.id));
  }
  async run(model: DispatchModel, system: DispatchSystem): Promise<void> {
    const owner = model.owners.get(displayContainerId(this.id));
    await system.composite.startContainer(this.id);
    const answer = await system.composite.exec(this.id, ['hostname']);
    if (answer.stdout !== `${owner ?? ''}\n`)
      fail(`${this.toString()}: hostname answered ${answer.stdout}, owner is ${String(owner)}`);
    const state = await system.composite.containerState(this.id);
    if (state !== 'running') fail(`${this.toString()}: state ${state}, expected running`);
  }
  toString(): string {
    return `start(${displayContainerId(this.id)})`;
  }
}

class RemoveCommand implements DispatchCommand {
  constructor(readonly id: ContainerId) {}
  check(model: DispatchModel): boolean {
    return model.owners.has(displayContainerId(this.id));
  }
  async run(model: DispatchModel, system: DispatchSystem): Promise<void> {
    await system.composite.removeContainer(this.id);
    model.owners.delete(displayContainerId(this.id));
    checkOwnership(model, system, this.toString());
  }
  toString(): string {
    return `remove(${displayContainerId(this.id)})`;
  }
}

class UnknownCallCommand implements DispatchCommand {
  constructor(readonly id: ContainerId) {}
  check(model: DispatchModel): boolean {
    return !model.owners.has(displayContainerId(this.id));
  }
  async run(_model: DispatchModel, system: DispatchSystem): Promise<void> {
    for (const call of [
      () => system.composite.stopContainer(this.id, 1),
      () => system.composite.containerLogs(this.id, 'all'),
    ]) {
      const code = await call().then(() => 'ok', codeOf);
      if (code !== 'ERR_RUNTIME_NOT_FOUND') fail(`${this.toString()}: expected NotFound, got ${code}`);
    }
  }
  toString(): string {
    return `call-unknown(${displayContainerId(this.id)})`;
  }
}

export const dispatchCommandsArb: fc.Arbitrary<Iterable<DispatchCommand>> = fc.commands(
  [
    imageArb.map((image) => new PullCommand(image)),
    fc.tuple(containerIdArb, serviceSpecArb).map(([id, spec]) => new CreateCommand(id, spec)),
    containerIdArb.map((id) => new StartCommand(id)),
    containerIdArb.map((id) => new RemoveCommand(id)),
    containerIdArb.map((id) => new UnknownCallCommand(id)),
  ],
  { maxCommands: 30 },
);
