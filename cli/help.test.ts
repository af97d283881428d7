import { describe, expect, it } from 'vitest';
import { startBerth } from './berth-process.test-helper.js';

const COMMANDS = [
  [],
  ['run'],
  ['list'],
  ['report'],
  ['serve'],
  ['sim'],
  ['sim', 'dockerd'],
  ['driver'],
  ['driver', 'registry'],
  ['driver', 'dispatch'],
];

describe('berth --help', () => {
  it.each(COMMANDS)('prints usage for `berth %s --help` and exits 0', async (...command: string[]) => {
    const child = startBerth([...command, '--help']);
    expect(await child.exited).toBe(0);
    expect(child.output).toContain(`Usage: berth${command.length === 0 ? '' : ` ${command.join(' ')}`}`);
    expect(child.errors).toBe('');
  });
});
