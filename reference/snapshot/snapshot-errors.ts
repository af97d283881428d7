import { BerthError } from '../../protocol/errors.js';

/** SNP-1, P-E1: pulling an absent image failed (before or inside the progress stream). */
export class ImagePullError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_PULL_FAILED';
  constructor(
    readonly image: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`pulling image '${image}' failed: ${detail}`, options);
  }
}

/** SNP-1, SNP-3: the container could not be created from the image or snapshot. */
export class VmCreateError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_CREATE_FAILED';
  constructor(
    readonly image: string,
    options?: ErrorOptions,
  ) {
    super(`creating a container from '${image}' failed`, options);
  }
}

/** SNP-2: the container was created but did not start (it has been removed). */
export class VmStartError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_START_FAILED';
  constructor(
    readonly containerId: string,
    options?: ErrorOptions,
  ) {
    super(`starting container ${containerId.slice(0, 12)} failed (it was removed)`, options);
  }
}

/** SNP-4, SNP-5, SNP-6: the VM was used after destroy. */
export class VmDestroyedError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_VM_DESTROYED';
  constructor(
    readonly containerId: string,
    operation: string,
  ) {
    super(`cannot ${operation}: container ${containerId.slice(0, 12)} was already destroyed`);
  }
}

/** SNP-4: the exec could not be created, started or streamed. */
export class ExecStreamError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_EXEC_STREAM';
  constructor(
    readonly containerId: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`exec in container ${containerId.slice(0, 12)} failed: ${detail}`, options);
  }
}

/** P-E3: the daemon reported no exit code for a finished exec stream. */
export class ExecExitUnknownError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_EXIT_UNKNOWN';
  constructor(
    readonly execId: string,
    attempts: number,
  ) {
    super(`exec ${execId.slice(0, 12)} has no exit code after ${attempts} inspections`);
  }
}

/** P-E6: the exec was cancelled through its AbortSignal. */
export class ExecAbortedError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_EXEC_ABORTED';
  constructor(
    readonly containerId: string,
    options?: ErrorOptions,
  ) {
    super(
      containerId === ''
        ? 'execution was cancelled before its container was created'
        : `exec in container ${containerId.slice(0, 12)} was cancelled`,
      options,
    );
  }
}

/** An action's timeout elapsed before its command finished. */
export class ExecTimeoutError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_EXEC_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`command timed out after ${timeoutMs} ms`);
  }
}

/** SNP-5: the host directory could not be uploaded into the container. */
export class InjectError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_INJECT_FAILED';
  constructor(
    readonly hostPath: string,
    readonly containerId: string,
    readonly guestPath: string,
    options?: ErrorOptions,
  ) {
    super(
      `injecting '${hostPath}' into container ${containerId.slice(0, 12)} at '${guestPath}' failed`,
      options,
    );
  }
}

/** SNP-6: committing the container to an image failed. */
export class SnapshotCommitError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_COMMIT_FAILED';
  constructor(
    readonly reference: string,
    options?: ErrorOptions,
  ) {
    super(`committing snapshot '${reference}' failed`, options);
  }
}

/** P-E7: a cached key is not a valid lower-case Docker reference. */
export class InvalidSnapshotKeyError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_INVALID_KEY';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`snapshot key '${key}' is not a valid image reference: ${reason}`);
  }
}

/** SNP-7: removing the container failed. */
export class VmDestroyError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_DESTROY_FAILED';
  constructor(
    readonly containerId: string,
    options?: ErrorOptions,
  ) {
    super(`removing container '${containerId}' failed`, options);
  }
}

/** SNP-9: removing a snapshot image failed. */
export class SnapshotRemoveError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_REMOVE_FAILED';
  constructor(
    readonly snapshot: string,
    options?: ErrorOptions,
  ) {
    super(`removing image '${snapshot}' failed`, options);
  }
}

/** The persisted snapshot registry could not be read or written. */
export class SnapshotRegistryError extends BerthError {
  readonly code = 'ERR_SNAPSHOT_REGISTRY';
  constructor(
    readonly path: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`snapshot registry '${path}': ${detail}`, options);
  }
}
