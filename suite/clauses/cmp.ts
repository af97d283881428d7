import type { Clause, Level } from './catalogue.js';

const SPEC = 'docs/spec/cmp.md';

const cmp = <const N extends number>(
  n: N,
  level: Level,
  text: string,
  extra: { pending?: string } = {},
): Clause & { readonly id: `CMP-${N}` } => ({
  id: `CMP-${n}` as const,
  level,
  source: { document: SPEC, section: `CMP-${n}` },
  text,
  ...extra,
});

/** CMP: the composite runtime dispatcher over a primary runtime and optional delegates. */
export const cmpClauses = [
  cmp(
    1,
    'MUST',
    'An isolation label naming a configured runtime (vz, vz-linux, vm or libkrun, sandbox or seatbelt, any case) decides the runtime before every other rule, and a label naming a missing runtime or an unknown value is ignored.',
  ),
  cmp(
    2,
    'MUST',
    'An image whose runtime marker is vz goes to the vz runtime when one is configured, whatever platform the spec asks for.',
  ),
  cmp(
    3,
    'MUST',
    'An image whose runtime marker is vz-linux goes to the vz-linux runtime when one is configured.',
  ),
  cmp(
    4,
    'MUST',
    'A spec platform of Windows or macOS goes to the primary, and Linux goes to vz-linux, else to the delegate, else fails with RouteToPeer for linux whose reason names both fixes (--install-wsl yes and adding a Linux peer).',
  ),
  cmp(
    5,
    'MUST',
    'With no platform, an image OS learned from a pull decides: Linux goes to vz-linux, else the delegate, else RouteToPeer naming the image, and Windows or macOS goes to the primary.',
  ),
  cmp(
    6,
    'MUST',
    'With nothing known about the image, a container goes to vz-linux when configured and otherwise to the primary, even when a delegate exists.',
  ),
  cmp(
    7,
    'SHOULD',
    'Image facts learned on a pull apply to every spelling of the same reference, so a pull of docker.io/library/alpine:latest informs a create of alpine:latest (upstream keys them by the exact string).',
  ),
  cmp(
    8,
    'MUST',
    'A create records the chosen runtime as the container’s owner, and a failed create leaves the dispatch record exactly as it was before (upstream deletes an existing record).',
  ),
  cmp(9, 'MUST', 'A per-container call for a container the composite never created fails with NotFound.'),
  cmp(
    10,
    'MUST',
    'Every per-container lifecycle call (start, stop, state, exec with its user, cwd and env, wait, rename, kill) reaches the runtime that owns the container and no other.',
  ),
  cmp(
    11,
    'MUST',
    'A remove forgets the owner only when the owner removed the container (or no longer has it), so a failed remove can be retried (upstream forgets it regardless).',
  ),
  cmp(
    12,
    'MUST',
    'Reads try the owner first and then every other configured runtime in fixed order, each at most once.',
  ),
  cmp(
    13,
    'MUST',
    'A read returns the first runtime’s success (an empty answer counts) and, when all fail, the latest error other than NotFound, else NotFound, else Unsupported.',
  ),
  cmp(
    14,
    'MUST',
    'A log stream uses a runtime’s native stream when one exists and otherwise replays the first log snapshot, returning every line when the tail is all or unset (upstream caps it at 1000).',
  ),
  cmp(
    15,
    'MUST',
    'A replayed log stream keeps only the asked channels (neither asked means both), ends each line with a newline, carries timestamps only when asked and ends after the snapshot.',
  ),
  cmp(
    16,
    'MUST',
    'A stats stream uses a runtime’s native stream when one exists and otherwise yields one sample built from the first stats snapshot, with CPU time converted from microseconds to nanoseconds.',
  ),
  cmp(
    17,
    'MAY',
    'The overlay attach kind reported is the vz-linux runtime’s when configured, else the primary’s.',
    {
      pending: 'the berth Runtime port has no overlay networking methods; added with the overlay work',
    },
  ),
  cmp(
    18,
    'MUST',
    'A pull goes to every configured runtime in order, where a primary WrongPlatform is skipped, any other primary error fails at once, and the pull fails when no runtime stored the image (upstream reports success).',
  ),
  cmp(19, 'SHOULD', 'A streamed pull fans out exactly like a plain pull.', {
    pending: 'the berth Runtime port has no streamed pull; pullImage is the only pull',
  }),
  cmp(
    20,
    'MUST',
    'Image OS inspection searches local caches in order, treats bare and fully qualified references alike, and stops at the first cache that answers or fails.',
  ),
  cmp(
    21,
    'MUST',
    'A pull records a found image OS for later creates, keeps what it knew when inspection finds nothing or fails, and never fails because of inspection.',
  ),
  cmp(
    22,
    'MUST',
    'Runtime-marker inspection may fall back to a registry after a local miss, and a registry error such as 429 never fails the pull nor changes dispatch.',
  ),
  cmp(
    23,
    'MUST',
    'Image and container listings merge every configured runtime’s answer de-duplicated (first wins), tolerate failing runtimes, and fail only when every runtime failed.',
  ),
  cmp(
    24,
    'MUST',
    'Image remove and tag reach every configured runtime, vz ones included, and fail only when every runtime failed (upstream stops at primary and delegate).',
  ),
  cmp(
    25,
    'MUST',
    'An image prune reaches every configured runtime and merges the deleted lists and the reclaimed space of those that succeeded (upstream prunes only primary and delegate).',
  ),
  cmp(
    26,
    'MUST',
    'Pause, unpause, inspect, archive get and put, and commit reach the container’s owner instead of answering Unsupported or empty (upstream leaves them at the trait default).',
  ),
] as const satisfies readonly Clause[];
