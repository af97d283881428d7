import type { TtySize } from '../program/process-context.js';
import type { OutputHub } from './output-hub.js';

/** The configuration of POST /containers/{id}/exec (DKR-20). */
export interface ExecConfig {
  readonly attachStdin: boolean;
  readonly attachStdout: boolean;
  readonly attachStderr: boolean;
  readonly tty: boolean;
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly workingDir: string;
  readonly user: string;
  readonly privileged: boolean;
  readonly detachKeys: string;
}

/** An exec instance (DKR-21/22). */
export class SimExec {
  running = false;
  /** null until the process has exited (ExitCode of exec inspect). */
  exitCode: number | null = null;
  pid = 0;
  started = false;
  controller: AbortController | undefined;
  /** The process's output once started (a TTY echoes input into it). */
  hub: OutputHub | undefined;
  ttySize: TtySize = { rows: 24, cols: 80 };
  /** Resolves when the process has started (or failed to): resize waits for it. */
  readonly ready: Promise<void>;
  markReady!: () => void;

  constructor(
    readonly id: string,
    readonly containerId: string,
    readonly config: ExecConfig,
  ) {
    this.ready = new Promise<void>((resolve) => {
      this.markReady = resolve;
    });
  }
}
