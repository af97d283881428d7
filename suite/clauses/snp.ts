import type { Clause } from './catalogue.js';

const SPEC = 'docs/spec/snp.md';

/** SNP: the snapshot backend (VMs as labelled containers, snapshots as committed images) and its cache. */
export const snpClauses = [
  {
    id: 'SNP-1',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-1' },
    text: 'Creating a VM from an image present on the daemon starts a container that stays running and accepts commands.',
  },
  {
    id: 'SNP-2',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-2' },
    text: 'When the created container fails to start, the backend removes it and rejects with a typed start error.',
  },
  {
    id: 'SNP-3',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-3' },
    text: 'Restoring a VM from a snapshot starts it with the files the snapshot captured, and restoring a missing snapshot rejects with a typed create error without pulling.',
  },
  {
    id: 'SNP-4',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-4' },
    text: 'A command runs under sh -c with the given environment and working directory, its stdout and stderr lines reach the sink separately, and its exit code is returned.',
  },
  {
    id: 'SNP-5',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-5' },
    text: 'Injecting a host directory creates the guest directory and places the contents of the host directory, nested directories included, inside it.',
  },
  {
    id: 'SNP-6',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-6' },
    text: 'A snapshot commits the container as ephemeral:<full container ID>, as the cached key when it has a tag, or as the cached key tagged with the container ID when it has none.',
  },
  {
    id: 'SNP-7',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-7' },
    text: 'Destroying a VM removes its container, a second destroy succeeds without doing anything, and any later use of the VM rejects with a typed destroyed error.',
  },
  {
    id: 'SNP-8',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-8' },
    text: 'Disposing a VM that was never destroyed (await using) removes its container before the disposal settles.',
  },
  {
    id: 'SNP-9',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-9' },
    text: 'Removing a snapshot deletes its image, and removing one that does not exist rejects with a typed remove error.',
  },
  {
    id: 'SNP-10',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-10' },
    text: 'A snapshot exists exactly while its image reference is on the daemon, and another tag of the same repository does not count.',
  },
  {
    id: 'SNP-11',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-11' },
    text: 'A VM created from an image that has an entrypoint still runs its commands, because the backend clears the entrypoint.',
  },
  {
    id: 'SNP-12',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-12' },
    text: 'Creating a VM from an absent untagged image pulls its latest tag, never all tags, and a failed pull rejects with a typed pull error.',
  },
  {
    id: 'SNP-13',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-13' },
    text: 'An exec whose exit code the daemon keeps reporting as null rejects with a typed error instead of reading as success.',
  },
  {
    id: 'SNP-14',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-14' },
    text: 'A line split across several output frames reaches the sink once and whole, and a final line without a newline is still delivered.',
  },
  {
    id: 'SNP-15',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-15' },
    text: 'A cached key naming a registry port keeps the port in the repository and takes the tag only after the last slash.',
  },
  {
    id: 'SNP-16',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-16' },
    text: 'Cached keys built from any step and cache key are valid lower-case references, and a key with an invalid repository rejects with a typed error before anything is committed.',
  },
  {
    id: 'SNP-17',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-17' },
    text: 'Aborting an execution stops its command, rejects with a typed cancellation error, and removes its container before the rejection.',
  },
  {
    id: 'SNP-18',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-18' },
    text: 'On a cache miss an execution runs the command in a new VM, snapshots it under the cached key, records the key and reports an uncached result.',
  },
  {
    id: 'SNP-19',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-19' },
    text: 'On a cache hit whose snapshot still exists an execution returns that snapshot as cached without running anything.',
  },
  {
    id: 'SNP-20',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-20' },
    text: 'A cache entry whose snapshot no longer exists is invalidated and the action runs again.',
  },
  {
    id: 'SNP-21',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-21' },
    text: 'A non-zero exit yields no snapshot and records nothing, and an uncached action yields an ephemeral snapshot without recording it.',
  },
  {
    id: 'SNP-22',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-22' },
    text: 'The cache registry is persisted as a complete file after every change, so a registry reopened from it holds the same entries.',
  },
  {
    id: 'SNP-23',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-23' },
    text: 'When the cache is over capacity the least recently used entry is evicted, and entries used at the same time are evicted in ascending key order.',
  },
  {
    id: 'SNP-24',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-24' },
    text: 'A snapshot evicted while an execution is restoring from it is removed only after that execution finishes.',
  },
  {
    id: 'SNP-25',
    level: 'MUST',
    source: { document: SPEC, section: 'SNP-25' },
    text: 'An action that outlives its timeout rejects with a typed timeout error and its container is removed.',
  },
] as const satisfies readonly Clause[];
