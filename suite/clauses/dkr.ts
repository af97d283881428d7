import type { Clause } from './catalogue.js';

const SPEC = 'docs/spec/dkr.md';

const section = (n: number): { document: string; section: string } => ({
  document: SPEC,
  section: `DKR-${n}`,
});

/**
 * DKR: the Docker Engine API wire contract, as a client sees it from a daemon, the simulated
 * dockerd, or a proxy in front of either. One clause per DKR-n statement of upstream-behaviour.md;
 * where a statement holds several requirements, the clause has several tests.
 *
 * The statements were taken from moby master (API 1.56). The suite must be right about reality,
 * so where dockerd 20.10 (API 1.41, what berth's simulated dockerd follows and what the fidelity
 * harness compares it with) answers otherwise, the clause accepts both answers and says so; the
 * comment above such a clause names the difference. Nothing here relies on the daemon's own API
 * version beyond what it announces in `Api-Version`.
 */
export const dkrClauses = [
  {
    // dockerd 20.10: the minimum is 1.12, not 1.24, and "too old" comes as text/plain.
    id: 'DKR-1',
    level: 'MUST',
    source: section(1),
    text: 'A request prefixed /v<version> within the daemon’s range is served, one above its maximum or below its minimum gets 400 saying the version is too new or too old, and served answers carry Api-Version, Server and Ostype headers.',
  },
  {
    id: 'DKR-2',
    level: 'MUST',
    source: section(2),
    text: 'An unknown path, or a known path with a method it does not take, gets 404 with the JSON message "page not found" and never 405.',
  },
  {
    id: 'DKR-3',
    level: 'MUST',
    source: section(3),
    text: 'An error is application/json with a {"message"} body ending in a newline, its status follows its class (404 not found, 400 invalid parameter, 409 conflict), and a 304 carries no body.',
  },
  {
    id: 'DKR-4',
    level: 'MUST',
    source: section(4),
    text: 'A boolean query parameter is false for "", "0", "no", "false" and "none" in any case and with surrounding spaces, and true for any other value.',
  },
  {
    id: 'DKR-5',
    level: 'MUST',
    source: section(5),
    text: 'Container IDs are 64 lower-case hex characters, names are kept with a leading "/", and a name not matching [a-zA-Z0-9][a-zA-Z0-9_.-]+ is refused with 400.',
  },
  {
    // dockerd 20.10 sends no Builder-Version or Swarm header on /_ping.
    id: 'DKR-6',
    level: 'MUST',
    source: section(6),
    text: 'GET /_ping answers 200 text/plain "OK" with Api-Version, Docker-Experimental, Cache-Control no-cache and Pragma no-cache, and HEAD /_ping answers the same headers with an empty body.',
  },
  {
    // dockerd 20.10 omits the top-level Experimental key of /version when it is false. SHOULD:
    // clients show these fields but act only on the API versions, which DKR-1 checks.
    id: 'DKR-7',
    level: 'SHOULD',
    source: section(7),
    text: 'GET /version answers JSON with Platform, Components, Version, ApiVersion, MinAPIVersion, GitCommit, GoVersion, Os, Arch, KernelVersion and BuildTime, and GET /info answers JSON with the documented key fields.',
  },
  {
    // A platform the engine cannot run: dockerd 20.10 answers 404 ("does not match the specified
    // platform"), moby master 400, and a proxy may refuse it first with 501 (HND-5), so the clause
    // asks only for a refusal that creates nothing. A missing body: 20.10 answers 500 "EOF", so
    // only the empty config {} is checked.
    id: 'DKR-8',
    level: 'MUST',
    source: section(8),
    text: 'Container create answers 201 with a 64-hex Id and null-or-array Warnings, refuses a non-JSON body, an empty config or an invalid name with 400, an unknown image with 404 "No such image", a name in use with 409 naming the holder, a malformed platform with 400, and a platform the engine cannot run without creating anything.',
  },
  {
    id: 'DKR-9',
    level: 'MUST',
    source: section(9),
    text: 'Start answers 204, 304 with no body when the container already runs, 409 when it is paused, 404 for an unknown container and 400 for a request body of 8 bytes or more.',
  },
  {
    // A non-integer t: moby master answers 400, dockerd 20.10 500 (strconv.Atoi).
    id: 'DKR-10',
    level: 'MUST',
    source: section(10),
    text: 'Stop answers 204 and leaves the container exited, 304 when it is not running, 404 for an unknown container, and an error status without stopping anything for a non-integer t.',
  },
  {
    id: 'DKR-11',
    level: 'MUST',
    source: section(11),
    text: 'Restart answers 204 and leaves the container running from a new start, and answers 404 for an unknown container.',
  },
  {
    id: 'DKR-12',
    level: 'MUST',
    source: section(12),
    text: 'Kill sends SIGKILL by default and answers 204, answers 204 for a signal the process ignores while the container keeps running, 400 for an invalid signal, 409 saying the container is not running when it is not, and 404 for an unknown container.',
  },
  {
    // An invalid condition: moby master answers 400, dockerd 20.10 waits as for not-running.
    id: 'DKR-13',
    level: 'MUST',
    source: section(13),
    text: 'Wait sends its 200 application/json head at once and its {"StatusCode", "Error"} body when the condition (not-running by default, next-exit, removed) is reached, answers 404 for an unknown container before any output, and refuses an invalid condition with 400 or waits as for not-running.',
  },
  {
    id: 'DKR-14',
    level: 'MUST',
    source: section(14),
    text: 'Rename answers 204 and the container answers to the new name only, and an empty, unchanged or invalid new name gets 400, a name in use 409 and an unknown container 404.',
  },
  {
    id: 'DKR-15',
    level: 'MUST',
    source: section(15),
    text: 'Remove answers 204 and the container is gone, a running or paused container without force gets 409, force removes a running one, and an unknown container gets 404.',
  },
  {
    id: 'DKR-16',
    level: 'MUST',
    source: section(16),
    text: 'Pause and unpause answer 204 and the container’s state shows it paused and then running again.',
  },
  {
    id: 'DKR-17',
    level: 'MUST',
    source: section(17),
    text: 'Container inspect answers JSON with the documented fields, a State with the documented fields, the name with its leading "/", SizeRw and SizeRootFs when size is set, and 404 "No such container" for an unknown container.',
  },
  {
    // dockerd 20.10 (API 1.41) sends logs with no Content-Type; bad since or until get 500 there
    // (moby master 400), so only "an error status before any output" is required.
    id: 'DKR-18',
    level: 'MUST',
    source: section(18),
    text: 'Logs of a container without a TTY come as stdcopy frames of one line each on the right stream, honour tail, timestamps and follow (which ends when the container exits), come raw with a TTY, and refuse a request for neither stream, a bad since or an unknown container with an error status before any output.',
  },
  {
    // An unknown container: dockerd (20.10 and master) hijacks first, then writes a raw
    // "HTTP/1.1 404 Not Found" head with the stream Content-Type and the message, and closes.
    id: 'DKR-19',
    level: 'MUST',
    source: section(19),
    text: 'Attach hijacks the connection, answering 101 with Connection: Upgrade and Upgrade: tcp when the client asks to upgrade and 200 application/vnd.docker.raw-stream when it does not, carries stdcopy frames without a TTY in both cases and stdin the other way, and answers an unknown container with a raw 404 head and the message instead of a 101.',
  },
  {
    id: 'DKR-20',
    level: 'MUST',
    source: section(20),
    text: 'Exec create answers 201 with a 64-hex Id, and refuses an empty command with 400, an unknown container with 404 and a container that is not running or is paused with 409.',
  },
  {
    // A container stopped after the exec was created: moby master answers 409, dockerd 20.10 404
    // (it forgets the container's execs when it stops).
    id: 'DKR-21',
    level: 'MUST',
    source: section(21),
    text: 'Exec start hijacks with 101 when asked to upgrade and 200 raw-stream otherwise, carries the process’s stdcopy output until it exits and then closes, answers 200 with an empty body for Detach, and refuses an unknown exec or an exec ID prefix with 404 and an exec that already ran with 409, all before any hijack.',
  },
  {
    id: 'DKR-22',
    level: 'MUST',
    source: section(22),
    text: 'Exec inspect answers the documented fields with ExitCode null until the process has exited and its exit code afterwards, 404 for an unknown exec, and exec resize answers 200 for a running exec and 400 for a non-numeric size.',
  },
  {
    // An invalid repository: moby master answers 400, dockerd 20.10 500 ("invalid reference
    // format"); a digest reference is 400 on both.
    id: 'DKR-23',
    level: 'MUST',
    source: section(23),
    text: 'Commit answers 201 with a sha256 Id, tags the image repo:tag (latest when no tag is given, untagged when no repo is), applies changes, refuses a digest reference with 400 and an invalid repository with an error status, and answers 404 for an unknown container.',
  },
  {
    id: 'DKR-24',
    level: 'MUST',
    source: section(24),
    text: 'Image list answers an array of summaries with the documented fields, and the reference filter matches glob patterns against repo:tag and the repository name, a "*" never crossing "/".',
  },
  {
    id: 'DKR-25',
    level: 'MUST',
    source: section(25),
    text: 'Image inspect answers the documented fields and 404 "No such image" for an unknown image, tag answers 201, delete answers 200 with an array of Untagged and Deleted entries or 404, and deleting an image a container uses without force answers 409.',
  },
  {
    // The progress stream of a successful pull needs a reachable registry (none here).
    id: 'DKR-26',
    level: 'MUST',
    source: section(26),
    text: 'A pull that fails before any progress is written answers an ordinary JSON error status instead of a 200 progress stream.',
  },
  {
    // Extraction onto a non-directory: moby master answers 400, dockerd 20.10 500.
    id: 'DKR-27',
    level: 'MUST',
    source: section(27),
    text: 'Archive PUT extracts a tar into a directory and answers 200 with an empty body, GET answers the file as a tar and HEAD and GET carry X-Docker-Container-Path-Stat, and a missing path gets 400, a missing directory 404 and extraction onto a non-directory an error status.',
  },
  {
    // Prune is daemon-wide; on a real daemon it would touch what the run did not create, so it is
    // not exercised.
    id: 'DKR-28',
    level: 'MUST',
    source: section(28),
    text: 'Container list answers summaries with the documented fields and names with a leading "/", shows stopped containers only with all, and honours label, name and status filters.',
  },
  {
    id: 'DKR-29',
    level: 'MUST',
    source: section(29),
    text: 'Events stream JSON messages, build and image load take a tar body and stream JSON progress, and /session is a BuildKit upgrade with Upgrade: h2c.',
    pending:
      'the simulated dockerd records no events and has no builder, and the real daemon here has no BuildKit; upgrades to /session are covered by UPG',
  },
  {
    // An ambiguous prefix: moby master answers 400, dockerd 20.10 500 ("Multiple IDs found").
    // An empty identifier cannot reach the handler on either: the router redirects "//" (301).
    id: 'DKR-30',
    level: 'MUST',
    source: section(30),
    text: 'A container is found by its full ID, by its name with or without the leading "/" (in /commit too) and by any unique ID prefix, an ambiguous prefix is refused with an error naming multiple IDs, and an unknown or upper-case prefix gets 404.',
  },
] as const satisfies readonly Clause[];
