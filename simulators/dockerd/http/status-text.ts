/** Go's http.StatusText for the statuses dockerd answers with. */
const TEXT: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  411: 'Length Required',
  413: 'Request Entity Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return TEXT[status] ?? '';
}

/** bodyAllowedForStatus of net/http. */
export function bodyAllowedForStatus(status: number): boolean {
  return !((status >= 100 && status <= 199) || status === 204 || status === 304);
}

/** http.DetectContentType, reduced to what dockerd's answers need: text or binary. */
export function sniffContentType(data: Uint8Array): string {
  for (const byte of data.subarray(0, 512)) {
    if (byte <= 0x08 || byte === 0x0b || (byte >= 0x0e && byte <= 0x1a) || (byte >= 0x1c && byte <= 0x1f)) {
      return 'application/octet-stream';
    }
  }
  return 'text/plain; charset=utf-8';
}
