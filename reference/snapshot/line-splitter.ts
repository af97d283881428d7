import { StringDecoder } from 'node:string_decoder';

/** P-E4: turns a byte stream into lines, keeping a partial line (and a split UTF-8 character) across chunks. */
export interface LineSplitter {
  push(chunk: Uint8Array): void;
  /** Emits the trailing partial line, if any. */
  end(): void;
}

/**
 * Splits on `\n`, dropping one `\r` before it; a trailing partial line waits for the next chunk,
 * and invalid UTF-8 is decoded lossily (U+FFFD).
 */
export function createLineSplitter(emit: (line: string) => void): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const drain = (text: string): void => {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      emit(line.endsWith('\r') ? line.slice(0, -1) : line);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  };
  return {
    push(chunk) {
      drain(decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    },
    end() {
      drain(decoder.end());
      if (pending !== '') emit(pending.endsWith('\r') ? pending.slice(0, -1) : pending);
      pending = '';
    },
  };
}
