/** DKR-18: the stream byte of a stdcopy header (0 stdin, 1 stdout, 2 stderr, 3 daemon error). */
export type StreamType = 0 | 1 | 2 | 3;

export type StreamName = 'stdin' | 'stdout' | 'stderr' | 'system';

/** One decoded frame. Raw (TTY) mode yields only `stdout` frames. */
export interface Frame {
  readonly stream: StreamName;
  readonly payload: Buffer;
}

/** DKR-18: [stream, 0, 0, 0, uint32 BE payload length]. */
export const STDCOPY_HEADER_BYTES = 8;

/** Largest payload one header can describe. */
export const STDCOPY_MAX_PAYLOAD_BYTES = 0xffffffff;

const NAMES: readonly StreamName[] = ['stdin', 'stdout', 'stderr', 'system'];

export function isStreamType(value: unknown): value is StreamType {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

export function streamName(type: StreamType): StreamName {
  return NAMES[type] as StreamName;
}

export function streamType(name: StreamName): StreamType {
  return NAMES.indexOf(name) as StreamType;
}
