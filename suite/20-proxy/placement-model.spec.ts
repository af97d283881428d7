import { profileRuns } from '../support/profile.js';
import fc from 'fast-check';
import type { ExpectStatic } from 'vitest';
import { describe } from 'vitest';
import { clause, type ClauseContext } from '../harness/clause.js';
import type { RunningGuest } from '../support/guests.js';
import { useLeakCheck } from '../support/leak-check.js';
import {
  createPlatformArb,
  execFollowUpArb,
  identifierFormArb,
  optionalNameArb,
  pickArb,
  proxyNameArb,
  type CreatePlatform,
  type ExecFollowUp,
  type IdentifierForm,
} from '../support/arbitraries/proxy.js';
import { call, createContainer, openTwoRoleStack, type Answer } from '../harness/proxy-client.js';

type GuestRole = 'native' | 'amd64';

const OTHER: Readonly<Record<GuestRole, GuestRole>> = { native: 'amd64', amd64: 'native' };

/** Where the proxy must place a create: amd64 for linux/amd64, native otherwise (the default role). */
const roleFor = (platform: CreatePlatform): GuestRole => (platform === 'linux/amd64' ? 'amd64' : 'native');

interface LiveContainer {
  readonly id: string;
  readonly role: GuestRole;
  /** The name given through the proxy (create or rename); undefined while it has a guest-made one. */
  name: string | undefined;
  /** Exec IDs created through the proxy. */
  readonly execs: string[];
}

/** Where each workload lives, as far as the client can tell from its own requests. */
class PlacementModel {
  readonly live: LiveContainer[] = [];
  /** Names given once and now held by no container (renamed away from, or removed). */
  readonly retired = new Set<string>();
  readonly removed: LiveContainer[] = [];

  nameInUse(name: string): boolean {
    return this.live.some((container) => container.name === name);
  }

  pick(index: number): LiveContainer {
    return this.live[index % this.live.length]!;
  }
}

interface PlacementSystem {
  readonly proxy: string;
  readonly guests: Readonly<Record<GuestRole, RunningGuest>>;
  readonly expect: ExpectStatic;
}

type PlacementCommand = fc.AsyncCommand<PlacementModel, PlacementSystem>;

function identifier(container: LiveContainer, form: IdentifierForm): string {
  if (form === 'id') return container.id;
  if (form === 'name' && container.name !== undefined) return container.name;
  return container.id.slice(0, 12);
}

/** Runs `action` and returns how many requests each guest received meanwhile. */
async function counted<T>(
  system: PlacementSystem,
  action: () => Promise<T>,
): Promise<{ result: T; received: Record<GuestRole, number> }> {
  const before = { native: system.guests.native.requests(), amd64: system.guests.amd64.requests() };
  const result = await action();
  return {
    result,
    received: {
      native: system.guests.native.requests() - before.native,
      amd64: system.guests.amd64.requests() - before.amd64,
    },
  };
}

/** The owning guest's own socket knows the container by full and short ID; the other one does not. */
async function expectPlacedOn(system: PlacementSystem, container: LiveContainer): Promise<void> {
  const { expect } = system;
  const own = await call(
    system.guests[container.role].socketPath,
    'GET',
    `/v1.41/containers/${container.id}/json`,
  );
  expect(own.status, `${container.role} guest has ${container.id}`).toBe(200);
  expect(own.json<{ Id: string }>().Id).toBe(container.id);
  const other = system.guests[OTHER[container.role]].socketPath;
  for (const token of [container.id, container.id.slice(0, 12)]) {
    const answer = await call(other, 'GET', `/v1.41/containers/${token}/json`);
    expect(answer.status, `${OTHER[container.role]} guest does not have ${token}`).toBe(404);
  }
}

/**
 * After every mutation: each live container is reached through the proxy by its name (or short
 * ID) and each retired name answers 404 through the proxy.
 */
async function sweep(model: PlacementModel, system: PlacementSystem, after: string): Promise<void> {
  const { expect } = system;
  for (const container of model.live) {
    const token = identifier(container, 'name');
    const answer = await call(system.proxy, 'GET', `/v1.41/containers/${token}/json`);
    expect(answer.status, `after ${after}: ${token} through the proxy`).toBe(200);
    expect(answer.json<{ Id: string }>().Id, `after ${after}: ${token} through the proxy`).toBe(container.id);
  }
  for (const name of model.retired) {
    const answer = await call(system.proxy, 'GET', `/v1.41/containers/${name}/json`);
    expect(answer.status, `after ${after}: retired name ${name} through the proxy`).toBe(404);
  }
}

class CreateCommand implements PlacementCommand {
  constructor(
    readonly platform: CreatePlatform,
    readonly name: string | undefined,
  ) {}
  check(model: Readonly<PlacementModel>): boolean {
    return this.name === undefined || !model.nameInUse(this.name);
  }
  async run(model: PlacementModel, system: PlacementSystem): Promise<void> {
    const id = await createContainer(system.proxy, {
      ...(this.name === undefined ? {} : { name: this.name }),
      ...(this.platform === undefined ? {} : { platform: this.platform }),
      cmd: ['sleep', 'infinity'],
    });
    const container: LiveContainer = { id, role: roleFor(this.platform), name: this.name, execs: [] };
    model.live.push(container);
    if (this.name !== undefined) model.retired.delete(this.name);
    await expectPlacedOn(system, container);
    await sweep(model, system, this.toString());
  }
  toString(): string {
    return `create(${this.platform ?? 'no platform'}, ${this.name ?? 'no name'})`;
  }
}

/** One request for a picked container: the token it was named by, the answer, what each guest received. */
interface PickedExchange {
  readonly container: LiveContainer;
  readonly token: string;
  readonly result: Answer;
  readonly received: Record<GuestRole, number>;
}

/**
 * A command on one live container: picks it by index (modulo the live count) and names it to the
 * proxy by `form`.
 */
abstract class PickedCommand {
  constructor(
    readonly pick: number,
    readonly form: IdentifierForm,
  ) {}
  abstract toString(): string;
  check(model: Readonly<PlacementModel>): boolean {
    return model.live.length > 0;
  }
  /** Picks the container, runs `request` with its `form` token and counts what each guest received. */
  protected async send(
    model: PlacementModel,
    system: PlacementSystem,
    request: (token: string) => Promise<Answer>,
  ): Promise<PickedExchange> {
    const container = model.pick(this.pick);
    const token = identifier(container, this.form);
    const { result, received } = await counted(system, () => request(token));
    return { container, token, result, received };
  }
  /** The request reached the owning guest once and the other guest not at all. */
  protected expectOwnerOnly(
    system: PlacementSystem,
    container: LiveContainer,
    received: Record<GuestRole, number>,
    message: string,
  ): void {
    system.expect(received, message).toEqual({ [container.role]: 1, [OTHER[container.role]]: 0 });
  }
  /** The request did not reach the guest that does not own the container. */
  protected expectOtherUntouched(
    system: PlacementSystem,
    container: LiveContainer,
    received: Record<GuestRole, number>,
  ): void {
    system.expect(received[OTHER[container.role]], `${this.toString()} reached the other guest`).toBe(0);
  }
}

class RenameCommand extends PickedCommand implements PlacementCommand {
  constructor(
    pick: number,
    form: IdentifierForm,
    readonly to: string,
  ) {
    super(pick, form);
  }
  override check(model: Readonly<PlacementModel>): boolean {
    return super.check(model) && !model.nameInUse(this.to);
  }
  async run(model: PlacementModel, system: PlacementSystem): Promise<void> {
    const { expect } = system;
    const { container, result, received } = await this.send(model, system, (token) =>
      call(system.proxy, 'POST', `/v1.41/containers/${token}/rename?name=${this.to}`),
    );
    expect(result.status, `${this.toString()} answered ${result.text}`).toBe(204);
    this.expectOtherUntouched(system, container, received);
    if (container.name !== undefined) model.retired.add(container.name);
    container.name = this.to;
    model.retired.delete(this.to);
    const renamed = await call(
      system.guests[container.role].socketPath,
      'GET',
      `/v1.41/containers/${this.to}/json`,
    );
    expect(renamed.json<{ Id: string }>().Id, 'the owning guest has the new name').toBe(container.id);
    await sweep(model, system, this.toString());
  }
  override toString(): string {
    return `rename(#${this.pick} by ${this.form} → ${this.to})`;
  }
}

class ExecCommand extends PickedCommand implements PlacementCommand {
  constructor(
    pick: number,
    form: IdentifierForm,
    readonly followUp: ExecFollowUp,
  ) {
    super(pick, form);
  }
  async run(model: PlacementModel, system: PlacementSystem): Promise<void> {
    const { expect } = system;
    const created = await this.send(model, system, (token) =>
      call(system.proxy, 'POST', `/v1.41/containers/${token}/exec`, { body: { Cmd: ['true'] } }),
    );
    const { container } = created;
    expect(created.result.status, `${this.toString()}: exec create answered ${created.result.text}`).toBe(
      201,
    );
    this.expectOwnerOnly(system, container, created.received, `${this.toString()}: exec create`);
    const execId = created.result.json<{ Id: string }>().Id;
    container.execs.push(execId);
    const own = await call(system.guests[container.role].socketPath, 'GET', `/v1.41/exec/${execId}/json`);
    expect(own.status, 'the owning guest has the exec').toBe(200);
    const other = await call(
      system.guests[OTHER[container.role]].socketPath,
      'GET',
      `/v1.41/exec/${execId}/json`,
    );
    expect(other.status, 'the other guest does not').toBe(404);

    const followed = await counted(system, () =>
      this.followUp === 'inspect'
        ? call(system.proxy, 'GET', `/v1.41/exec/${execId}/json`)
        : call(system.proxy, 'POST', `/v1.41/exec/${execId}/start`, { body: { Detach: true } }),
    );
    expect(followed.result.status, `${this.toString()}: ${followed.result.text}`).toBe(200);
    this.expectOwnerOnly(system, container, followed.received, `${this.toString()}: ${this.followUp}`);
    if (this.followUp === 'inspect') {
      expect(followed.result.json<{ ContainerID: string }>().ContainerID).toBe(container.id);
    }
  }
  override toString(): string {
    return `exec(#${this.pick} by ${this.form}, ${this.followUp})`;
  }
}

class InspectCommand extends PickedCommand implements PlacementCommand {
  async run(model: PlacementModel, system: PlacementSystem): Promise<void> {
    const { expect } = system;
    const { container, token, result, received } = await this.send(model, system, (token) =>
      call(system.proxy, 'GET', `/v1.41/containers/${token}/json`),
    );
    expect(result.status, `${this.toString()}: ${result.text}`).toBe(200);
    expect(result.json<{ Id: string }>().Id, this.toString()).toBe(container.id);
    // Recorded workloads are routed straight to their guest: no probe of the other one.
    this.expectOwnerOnly(system, container, received, this.toString());
    await expectPlacedOn(system, container);
    for (const execId of container.execs) {
      const exec = await call(system.proxy, 'GET', `/v1.41/exec/${execId}/json`);
      expect(exec.status, `exec ${execId} of ${token}`).toBe(200);
      expect(exec.json<{ ContainerID: string }>().ContainerID).toBe(container.id);
    }
  }
  override toString(): string {
    return `inspect(#${this.pick} by ${this.form})`;
  }
}

class LogsCommand extends PickedCommand implements PlacementCommand {
  async run(model: PlacementModel, system: PlacementSystem): Promise<void> {
    const { expect } = system;
    const { container, result, received } = await this.send(model, system, (token) =>
      call(system.proxy, 'GET', `/v1.41/containers/${token}/logs?stdout=1&stderr=1`),
    );
    expect(result.status, `${this.toString()}: ${result.text}`).toBe(200);
    this.expectOwnerOnly(system, container, received, this.toString());
  }
  override toString(): string {
    return `logs(#${this.pick} by ${this.form})`;
  }
}

class RemoveCommand extends PickedCommand implements PlacementCommand {
  async run(model: PlacementModel, system: PlacementSystem): Promise<void> {
    const { expect } = system;
    const { container, result, received } = await this.send(model, system, (token) =>
      call(system.proxy, 'DELETE', `/v1.41/containers/${token}?force=1`),
    );
    expect(result.status, `${this.toString()}: ${result.text}`).toBe(204);
    this.expectOtherUntouched(system, container, received);
    model.live.splice(model.live.indexOf(container), 1);
    model.removed.push(container);
    if (container.name !== undefined) model.retired.add(container.name);
    const own = await call(
      system.guests[container.role].socketPath,
      'GET',
      `/v1.41/containers/${container.id}/json`,
    );
    expect(own.status, 'gone from its guest').toBe(404);
    for (const gone of [container.id, container.id.slice(0, 12)]) {
      const answer = await call(system.proxy, 'GET', `/v1.41/containers/${gone}/json`);
      expect(answer.status, `${gone} through the proxy after the remove`).toBe(404);
    }
    await sweep(model, system, this.toString());
  }
  override toString(): string {
    return `remove(#${this.pick} by ${this.form})`;
  }
}

const commandArbs = [
  fc.tuple(createPlatformArb, optionalNameArb).map(([platform, name]) => new CreateCommand(platform, name)),
  fc
    .tuple(pickArb, identifierFormArb, proxyNameArb)
    .map(([pick, form, to]) => new RenameCommand(pick, form, to)),
  fc
    .tuple(pickArb, identifierFormArb, execFollowUpArb)
    .map(([pick, form, followUp]) => new ExecCommand(pick, form, followUp)),
  fc.tuple(pickArb, identifierFormArb).map(([pick, form]) => new InspectCommand(pick, form)),
  fc.tuple(pickArb, identifierFormArb).map(([pick, form]) => new LogsCommand(pick, form)),
  fc.tuple(pickArb, identifierFormArb).map(([pick, form]) => new RemoveCommand(pick, form)),
];

interface Stack extends PlacementSystem {
  close(): Promise<void>;
}

/** Two simulated guests (native arm64, amd64) behind a fresh proxy of the target. */
async function startStack(context: Pick<ClauseContext, 'use' | 'expect'>): Promise<Stack> {
  const { native, amd64, proxy, running } = await openTwoRoleStack(context);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await running[Symbol.asyncDispose]();
      // Every container the run left behind is removed on its own guest before the guest stops.
      for (const guest of [native, amd64]) {
        const listed = await call(guest.socketPath, 'GET', '/v1.41/containers/json?all=1');
        for (const { Id } of listed.json<{ Id: string }[]>()) {
          await call(guest.socketPath, 'DELETE', `/v1.41/containers/${Id}?force=1`);
        }
        await guest.close();
      }
    })();
    return closing;
  };
  return { proxy, guests: { native, amd64 }, expect: context.expect, close };
}

describe('proxy placement model', () => {
  useLeakCheck();

  clause(
    'HND-15',
    'keep routing every container, exec, name and short ID to the guest that owns it over random create, rename, exec, inspect, logs and remove sequences',
    async ({ use, expect, onTestFinished }) => {
      // Checks HND-4 (create placement), HND-7 (recorded ID, short ID, name), HND-9 (execs) and
      // HND-14 as well: each command compares the proxy's answer with the owning guest's own socket.
      const open = new Set<Stack>();
      onTestFinished(async () => {
        for (const stack of open) await stack.close();
      });
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.commands(commandArbs, { maxCommands: 12 }), async (commands) => {
          runs += 1;
          const stack = await startStack({ use, expect });
          open.add(stack);
          try {
            await fc.asyncModelRun(() => ({ model: new PlacementModel(), real: stack }), commands);
          } finally {
            await stack.close();
            open.delete(stack);
          }
        }),
        { numRuns: profileRuns(25) },
      );
      expect(runs).toBeGreaterThan(0);
    },
    // A model run of many sequential round trips: about 30 s on an idle 2-core machine, several times
    // that when the machine is busy.
    { timeoutMs: 180_000 },
  );
});
