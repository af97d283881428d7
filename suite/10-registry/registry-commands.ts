import fc from 'fast-check';
import type { Role } from '../../protocol/connector.js';
import type { WorkloadRegistryPort } from '../../protocol/workload-registry.js';
import {
  aliasKeyArb,
  keyArb,
  lookupKeyArb,
  ownerKeyArb,
  roleArb,
  type RegistryUniverse,
} from '../support/arbitraries/registry.js';
import { comparableLookup, type RegistryModel } from './registry-model.js';
import { ClauseViolationError } from '../support/suite-errors.js';

/** The system side of a model run: the registry under test and the keys to re-check. */
export interface RegistrySystem {
  readonly real: WorkloadRegistryPort;
  readonly keys: readonly string[];
}

type RegistryCommand = fc.AsyncCommand<RegistryModel, RegistrySystem>;

/** Checks every exact key of the universe against the model after a mutation. */
async function checkAllKeys(model: RegistryModel, system: RegistrySystem, after: string): Promise<void> {
  for (const key of system.keys) {
    const actual = comparableLookup(await system.real.lookup(key));
    const expected = model.lookup(key);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new ClauseViolationError(
        `after ${after}: lookup(${JSON.stringify(key)}) gave ${JSON.stringify(actual)}, the model says ${JSON.stringify(expected)}`,
      );
    }
  }
}

abstract class Mutation implements RegistryCommand {
  check(): boolean {
    return true;
  }
  abstract apply(model: RegistryModel, real: WorkloadRegistryPort): Promise<void>;
  abstract toString(): string;
  async run(model: RegistryModel, system: RegistrySystem): Promise<void> {
    await this.apply(model, system.real);
    await checkAllKeys(model, system, this.toString());
  }
}

class RecordCommand extends Mutation {
  constructor(
    readonly id: string,
    readonly role: Role,
  ) {
    super();
  }
  async apply(model: RegistryModel, real: WorkloadRegistryPort): Promise<void> {
    model.record(this.id, this.role);
    await real.record(this.id, this.role);
  }
  toString(): string {
    return `record(${JSON.stringify(this.id)}, ${JSON.stringify(this.role)})`;
  }
}

class AddAliasCommand extends Mutation {
  constructor(
    readonly canonical: string,
    readonly alias: string,
  ) {
    super();
  }
  async apply(model: RegistryModel, real: WorkloadRegistryPort): Promise<void> {
    model.addAlias(this.canonical, this.alias);
    await real.addAlias(this.canonical, this.alias);
  }
  toString(): string {
    return `addAlias(${JSON.stringify(this.canonical)}, ${JSON.stringify(this.alias)})`;
  }
}

class RenameAliasCommand extends Mutation {
  constructor(
    readonly canonical: string,
    readonly alias: string,
  ) {
    super();
  }
  async apply(model: RegistryModel, real: WorkloadRegistryPort): Promise<void> {
    model.renameAlias(this.canonical, this.alias);
    await real.renameAlias(this.canonical, this.alias);
  }
  toString(): string {
    return `renameAlias(${JSON.stringify(this.canonical)}, ${JSON.stringify(this.alias)})`;
  }
}

class ForgetCommand extends Mutation {
  constructor(readonly id: string) {
    super();
  }
  async apply(model: RegistryModel, real: WorkloadRegistryPort): Promise<void> {
    const expected = model.forget(this.id);
    const actual = await real.forget(this.id);
    if (actual !== expected) {
      throw new ClauseViolationError(
        `${this.toString()} returned ${String(actual)}, the model says ${String(expected)}`,
      );
    }
  }
  toString(): string {
    return `forget(${JSON.stringify(this.id)})`;
  }
}

class LookupCommand implements RegistryCommand {
  constructor(readonly id: string) {}
  check(): boolean {
    return true;
  }
  async run(model: RegistryModel, system: RegistrySystem): Promise<void> {
    const actual = comparableLookup(await system.real.lookup(this.id));
    const expected = model.lookup(this.id);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new ClauseViolationError(
        `${this.toString()} gave ${JSON.stringify(actual)}, the model says ${JSON.stringify(expected)}`,
      );
    }
  }
  toString(): string {
    return `lookup(${JSON.stringify(this.id)})`;
  }
}

/** Random command sequences over one universe's keys; record is weighted up so state builds. */
export function registryCommandsArb(universe: RegistryUniverse): fc.Arbitrary<Iterable<RegistryCommand>> {
  const key = keyArb(universe);
  const owner = ownerKeyArb(universe);
  const alias = aliasKeyArb(universe);
  return fc.commands(
    [
      fc.tuple(key, roleArb(universe)).map(([id, role]) => new RecordCommand(id, role)),
      fc
        .tuple(fc.constantFrom(...universe.canonicals), roleArb(universe))
        .map(([id, role]) => new RecordCommand(id, role)),
      fc.tuple(owner, alias).map(([canonical, name]) => new AddAliasCommand(canonical, name)),
      fc.tuple(owner, alias).map(([canonical, name]) => new RenameAliasCommand(canonical, name)),
      key.map((id) => new ForgetCommand(id)),
      lookupKeyArb(universe).map((id) => new LookupCommand(id)),
    ],
    { maxCommands: 60, size: 'medium' },
  );
}
