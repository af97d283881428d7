import type { Buffer } from 'node:buffer';

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An exec start body `{"Detach": true}`: answered like a plain request, not through the bridge. */
export function isDetachedExecStart(body: Buffer): boolean {
  return parseObject(body)?.Detach === true;
}

/** The `Id` of a create or exec create answer, or undefined when it has none. */
export function parseId(body: Buffer | undefined): string | undefined {
  const id = body === undefined ? undefined : parseObject(body)?.Id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
