import type { LogChunk, LogEntry, LogsOptions, StatsSample, StatsSnapshot } from '../../protocol/runtime.js';

/** CMP-15: a log snapshot as a stream that ends after the last entry. */
export async function* logChunksFromSnapshot(
  entries: readonly LogEntry[],
  options: LogsOptions,
): AsyncGenerator<LogChunk> {
  const stdout = options.stdout === true;
  const stderr = options.stderr === true;
  // Neither channel asked for means both (Docker itself would answer 400).
  const wantStdout = stdout || !stderr;
  const wantStderr = stderr || !stdout;
  for (const entry of entries) {
    if (entry.stream === 'stdout' ? !wantStdout : !wantStderr) continue;
    const data = `${entry.message}\n`;
    yield options.timestamps === true
      ? { stream: entry.stream, data, timestamp: entry.timestamp }
      : { stream: entry.stream, data };
  }
}

const saturatingTimes = (value: number, factor: number): number =>
  Math.min(value * factor, Number.MAX_SAFE_INTEGER);

/** CMP-16: one stats sample built from a snapshot. */
export function statsSampleFromSnapshot(snapshot: StatsSnapshot, now: Date): StatsSample {
  return {
    cpuTotalNs: saturatingTimes(snapshot.cpuUsageUsec, 1000),
    memUsedBytes: snapshot.memoryBytes,
    memLimitBytes: snapshot.memoryLimit,
    onlineCpus: 1,
    netRxBytes: 0,
    netTxBytes: 0,
    blkReadBytes: 0,
    blkWriteBytes: 0,
    pids: 0,
    timestamp: now.toISOString(),
  };
}

export async function* oneSample(sample: StatsSample): AsyncGenerator<StatsSample> {
  yield sample;
}
