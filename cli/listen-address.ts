import {
  InvalidListenAddressError,
  parseListenAddress as parseAddress,
  type ListenAddress,
} from '../protocol/listen-address.js';
import { UsageError } from './cli-errors.js';

export { formatListenAddress, type ListenAddress } from '../protocol/listen-address.js';

/** The one listen-address parser (protocol/), its refusal turned into the CLI's one-line usage error. */
export function parseListenAddress(text: string, options: { allowRemote?: boolean } = {}): ListenAddress {
  try {
    return parseAddress(text, options);
  } catch (error) {
    if (error instanceof InvalidListenAddressError)
      throw new UsageError(`--listen ${text}: ${error.detail}`, { cause: error });
    throw error;
  }
}
