import type { TestFailure, TranscriptEntry } from '../model/results.js';

/** A transcript as plain text: each exchange as what was sent, then what came back. */
export function formatTranscript(entries: readonly TranscriptEntry[]): string {
  return entries
    .map(
      (entry) =>
        `>>> sent to ${entry.peer}\n${entry.sent}\n<<< received from ${entry.peer}\n${entry.received}`,
    )
    .join('\n\n');
}

/** A failure as plain text: the message, then the diff, the transcript and the stack when present. */
export function formatFailure(failure: TestFailure, options: { stack?: boolean } = {}): string {
  const parts = [`${failure.name}: ${failure.message}`];
  if (failure.diff !== undefined && failure.diff !== '') parts.push(`diff:\n${failure.diff}`);
  if (failure.transcript !== undefined && failure.transcript.length > 0) {
    parts.push(`transcript:\n${formatTranscript(failure.transcript)}`);
  }
  if (options.stack === true && failure.stack !== undefined && failure.stack !== '') {
    parts.push(`stack:\n${failure.stack}`);
  }
  return parts.join('\n\n');
}

/** `850 ms`, `2.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** A probe fact or option value as one line of text. */
export function formatFact(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? typeof value;
}
