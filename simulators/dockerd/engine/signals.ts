import { DockerdInvalidParameterError } from '../dockerd-errors.js';

/** signal.SignalMap of moby on Linux (names without "SIG"). */
const SIGNALS: Readonly<Record<string, number>> = {
  ABRT: 6,
  ALRM: 14,
  BUS: 7,
  CHLD: 17,
  CLD: 17,
  CONT: 18,
  FPE: 8,
  HUP: 1,
  ILL: 4,
  INT: 2,
  IO: 29,
  IOT: 6,
  KILL: 9,
  PIPE: 13,
  POLL: 29,
  PROF: 27,
  PWR: 30,
  QUIT: 3,
  SEGV: 11,
  STKFLT: 16,
  STOP: 19,
  SYS: 31,
  TERM: 15,
  TRAP: 5,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  USR1: 10,
  USR2: 12,
  VTALRM: 26,
  WINCH: 28,
  XCPU: 24,
  XFSZ: 25,
  RTMIN: 34,
  'RTMIN+1': 35,
  'RTMIN+2': 36,
  'RTMIN+3': 37,
  'RTMIN+4': 38,
  'RTMIN+5': 39,
  'RTMIN+6': 40,
  'RTMIN+7': 41,
  'RTMIN+8': 42,
  'RTMIN+9': 43,
  'RTMIN+10': 44,
  'RTMIN+11': 45,
  'RTMIN+12': 46,
  'RTMIN+13': 47,
  'RTMIN+14': 48,
  'RTMIN+15': 49,
  'RTMAX-14': 50,
  'RTMAX-13': 51,
  'RTMAX-12': 52,
  'RTMAX-11': 53,
  'RTMAX-10': 54,
  'RTMAX-9': 55,
  'RTMAX-8': 56,
  'RTMAX-7': 57,
  'RTMAX-6': 58,
  'RTMAX-5': 59,
  'RTMAX-4': 60,
  'RTMAX-3': 61,
  'RTMAX-2': 62,
  'RTMAX-1': 63,
  RTMAX: 64,
};

export const SIGKILL = 9;
export const SIGTERM = 15;

/**
 * signal.ParseSignal: a number (not 0) or a name with or without "SIG", any case.
 * Invalid → 400 "Invalid signal: <text>".
 */
export function parseSignal(text: string): number {
  if (/^-?[0-9]+$/.test(text)) {
    const number = Number(text);
    if (number === 0 || !Number.isSafeInteger(number))
      throw new DockerdInvalidParameterError(`Invalid signal: ${text}`);
    return number;
  }
  const signal = SIGNALS[text.toUpperCase().replace(/^SIG/, '')];
  if (signal === undefined) throw new DockerdInvalidParameterError(`Invalid signal: ${text}`);
  return signal;
}

/** signal.ValidSignalForPlatform: one of the values of the signal map. */
export function isValidSignal(signal: number): boolean {
  return Object.values(SIGNALS).includes(signal);
}
