/** Identifier shapes the registry distinguishes (REG-11, REG-16). */

const HEX = /^[0-9a-fA-F]*$/;
const SLASH = 0x2f;

/** A short-ID prefix eligible for prefix lookup: 4 to 63 hex digits, either case (REG-11). */
export function isHexShortId(id: string): boolean {
  return id.length >= 4 && id.length <= 63 && HEX.test(id);
}

/** A full-length workload ID (container or exec): exactly 64 hex digits, either case. */
export function isCanonicalId(id: string): boolean {
  return id.length === 64 && HEX.test(id);
}

/**
 * The key an identifier is stored and found under. Docker writes names with a leading "/" and
 * accepts them with or without it, so one leading "/" is not part of the key (REG-16); a lone "/"
 * stays as it is.
 */
export function normaliseKey(id: string): string {
  return id.length > 1 && id.charCodeAt(0) === SLASH ? id.slice(1) : id;
}
