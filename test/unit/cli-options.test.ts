import { describe, expect, it } from 'vitest';
import { program } from '../support/cli-usage.js';

describe('the command line', () => {
  it.each(program.commands.map((c) => c.name()))('sfsync %s takes --format json', (name) => {
    const format = program.commands
      .find((c) => c.name() === name)!
      .options.find((o) => o.long === '--format');
    expect(format?.argChoices).toContain('json');
    expect(format?.defaultValue).toBe('table');
  });

  it('audit, repair and backfill also speak markdown and csv; audit ndjson', () => {
    const choices = (name: string) =>
      program.commands.find((c) => c.name() === name)!.options.find((o) => o.long === '--format')!
        .argChoices;
    expect(choices('audit')).toEqual(['table', 'json', 'ndjson', 'markdown', 'csv']);
    expect(choices('repair')).toEqual(['table', 'json', 'markdown', 'csv']);
    expect(choices('backfill')).toEqual(['table', 'json', 'markdown', 'csv']);
  });

  it('--quiet and --verbose are global', () => {
    expect(program.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(['--quiet', '--verbose']),
    );
  });
});
