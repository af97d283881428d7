import { Buffer } from 'node:buffer';
import type { InputPipe } from '../program/input-pipe.js';

/** Where a hijacked connection's stdin goes: a process's stdin pipe, possibly through a TTY. */
export interface StdinTarget {
  write(chunk: Uint8Array): boolean;
  readonly ended: boolean;
  onDrain(listener: () => void): () => void;
  end(): void;
}

/**
 * The cooked mode of a pseudo-terminal in front of a process's stdin: CR becomes LF (ICRNL),
 * input is echoed back (ECHO; the output side turns LF into CRLF), ^D ends the input and ^C is
 * echoed as "^C".
 */
export function createTtyStdin(pipe: InputPipe, echo: (data: Buffer) => void): StdinTarget {
  return {
    get ended() {
      return pipe.ended;
    },
    onDrain: (listener) => pipe.onDrain(listener),
    end: () => pipe.end(),
    write(chunk) {
      const input: number[] = [];
      const echoed: number[] = [];
      for (const byte of chunk) {
        if (byte === 0x04) {
          if (input.length > 0) pipe.write(Buffer.from(input));
          if (echoed.length > 0) echo(Buffer.from(echoed));
          pipe.end();
          return false;
        }
        // The echo goes out through the terminal's output side, whose ONLCR adds the CRs.
        if (byte === 0x03) {
          echoed.push(0x5e, 0x43, 0x0a);
          continue;
        }
        const translated = byte === 0x0d ? 0x0a : byte;
        input.push(translated);
        echoed.push(translated);
      }
      if (echoed.length > 0) echo(Buffer.from(echoed));
      return input.length === 0 ? true : pipe.write(Buffer.from(input));
    },
  };
}
