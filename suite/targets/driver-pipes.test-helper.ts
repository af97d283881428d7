import { PassThrough } from 'node:stream';

/**
 * The two pipes of a driver-protocol side under test: `input` is what the other side writes to
 * it, `sent` collects the whole lines (without `\n`) it writes to `output`.
 */
export function linePipes(): { input: PassThrough; output: PassThrough; sent: string[] } {
  const input = new PassThrough();
  const output = new PassThrough();
  const sent: string[] = [];
  let partial = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    sent.push(...parts);
  });
  return { input, output, sent };
}
