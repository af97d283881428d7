import fc from 'fast-check';

/** The platform a create asks for: one per guest role, or none (the default role). */
export type CreatePlatform = 'linux/amd64' | 'linux/arm64' | undefined;

export const createPlatformArb: fc.Arbitrary<CreatePlatform> = fc.constantFrom<CreatePlatform>(
  'linux/amd64',
  'linux/arm64',
  undefined,
);

/**
 * Names a model run gives its containers: a small pool, so that names are reused after a remove or
 * a rename away from them (the registry must not route a reused name to the old owner).
 */
export const PROXY_NAMES = ['web', 'db', 'cache', 'api-1', 'job'] as const;

export const proxyNameArb: fc.Arbitrary<string> = fc.constantFrom(...PROXY_NAMES);

/** A create's name: one of the pool, or none (the guest picks one the proxy never hears of). */
export const optionalNameArb: fc.Arbitrary<string | undefined> = fc.option(proxyNameArb, {
  nil: undefined,
  freq: 3,
});

/** How a follow-up names its container: full ID, 12-character short ID, or name. */
export type IdentifierForm = 'id' | 'short' | 'name';

export const identifierFormArb: fc.Arbitrary<IdentifierForm> = fc.constantFrom<IdentifierForm>(
  'id',
  'short',
  'name',
);

/** What follows an exec create: a detached start or an inspect. */
export type ExecFollowUp = 'start-detached' | 'inspect';

export const execFollowUpArb: fc.Arbitrary<ExecFollowUp> = fc.constantFrom<ExecFollowUp>(
  'start-detached',
  'inspect',
);

/** Picks one of the model's containers: taken modulo the count when the command runs. */
export const pickArb: fc.Arbitrary<number> = fc.nat({ max: 1000 });
