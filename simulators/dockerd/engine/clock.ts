/**
 * Time as dockerd sees it: nanoseconds since the Unix epoch (bigint), so that RFC3339Nano strings
 * carry nine significant digits like Go's time.Time.
 */
export interface Clock {
  nowNs(): bigint;
}

/** Wall clock with nanosecond resolution: Date.now() at start-up plus the monotonic hrtime since. */
export function createSystemClock(): Clock {
  const baseNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  let last = 0n;
  return {
    nowNs() {
      // Strictly increasing, so two log lines never share a timestamp (json-file keeps order).
      let now = baseNs + process.hrtime.bigint();
      if (now <= last) now = last + 1n;
      last = now;
      return now;
    },
  };
}

/** Go's zero time.Time, as encoding/json writes it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function splitNs(ns: bigint): { date: Date; fraction: string } {
  const ms = ns / 1_000_000n;
  const nanos = ns % 1_000_000_000n;
  return { date: new Date(Number(ms)), fraction: String(nanos).padStart(9, '0') };
}

function dateTime(date: Date): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** Go's time.RFC3339Nano in UTC: the fraction loses trailing zeros and disappears when zero. */
export function formatRfc3339Nano(ns: bigint | undefined): string {
  if (ns === undefined) return ZERO_TIME;
  const { date, fraction } = splitNs(ns);
  const trimmed = fraction.replace(/0+$/, '');
  return `${dateTime(date)}${trimmed === '' ? '' : `.${trimmed}`}Z`;
}

/** jsonmessage.RFC3339NanoFixed (log timestamps): always nine fraction digits. */
export function formatRfc3339NanoFixed(ns: bigint): string {
  const { date, fraction } = splitNs(ns);
  return `${dateTime(date)}.${fraction}Z`;
}

/** Whole seconds since the epoch (the `Created` of list answers). */
export function unixSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n);
}

/** units.HumanDuration of go-units (what `docker ps` shows as "Up 3 seconds"). */
export function humanDuration(ns: bigint): string {
  const seconds = Number(ns / 1_000_000_000n);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(seconds / 3600 / 24 / 365)} years`;
}

/** The HTTP Date header (RFC 7231 IMF-fixdate), as Go's net/http writes it. */
let lastSecond = Number.NaN;
let lastText = '';

export function formatHttpDate(ms: number): string {
  // One Date header per second is all a busy server needs to format (as net/http caches it).
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = new Date(second * 1000).toUTCString();
  }
  return lastText;
}
