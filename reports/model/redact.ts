const SECRET_HEADERS =
  /^(authorization|proxy-authorization|x-registry-auth|x-registry-config|cookie|set-cookie)\s*:.*$/gim;
const SECRET_JSON_KEYS =
  /("(?:password|passwd|secret|token|identitytoken|registrytoken|auth|accesstoken|refreshtoken|apikey|api_key)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const SECRET_ENV = /\b([A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|API_KEY)[A-Z0-9_]*=)[^\s"',\]]+/g;

/** Removes credentials from a transcript text: auth headers, token fields, secret env values. */
export function redact(text: string): string {
  return text
    .replace(SECRET_HEADERS, (line) => `${line.slice(0, line.indexOf(':'))}: [redacted]`)
    .replace(SECRET_JSON_KEYS, '$1"[redacted]"')
    .replace(BEARER, '$1 [redacted]')
    .replace(SECRET_ENV, '$1[redacted]');
}
