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

// Each case starts berth as a user would (node and tsx): seconds on a loaded machine.
describe('berth --help', { timeout: 60_000 }, () => {
  it.each(COMMANDS)('prints usage for `berth %s --help` and exits 0', async (...command: string[]) => {
    const child = startBerth([...command, '--help']);
    expect(await child.exited).toBe(0);
    expect(child.output).toContain(`Usage: berth${command.length === 0 ? '' : ` ${command.join(' ')}`}`);
    expect(child.errors).toBe('');
  });
});
