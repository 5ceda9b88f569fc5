import { describe, expect, it } from 'vitest';
import { helpTexts } from '../../src/cli/help-text.js';
import { parseOutputFile } from '../../src/cli/reports/output-files.js';
import { program } from '../support/cli-usage.js';

const optionOf = (command: string, flag: string) =>
  program.commands.find((c) => c.name() === command)!.options.find((o) => o.long === flag);

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

  it.each([80, 120])('every description wraps as paragraphs at %i columns', (width) => {
    for (const [name, help] of helpTexts(width)) {
      const description = help
        .split(/\n\n(?:Arguments|Options):/)[0]!
        .split('\n\n')
        .slice(1);
      expect(description.length, name).toBeGreaterThan(0);
      for (const paragraph of description) {
        const lines = paragraph.split('\n');
        // Every line but a paragraph's last is filled: a short one is a line break written
        // into the text, which commander keeps, leaving the paragraph ragged.
        for (const line of lines.slice(0, -1))
          expect(line.length, `${name}: ${line}`).toBeGreaterThan(width - 20);
        for (const line of lines)
          expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(width);
      }
    }
  });

  it('options that several commands share mean the same and default the same', () => {
    for (const flag of ['--details', '--stale', '--lock-timeout', '--notify', '--format']) {
      const users = program.commands.map((c) => optionOf(c.name(), flag)).filter((o) => o);
      expect(users.length, flag).toBeGreaterThan(1);
      expect(new Set(users.map((o) => String(o!.defaultValue))).size, flag).toBe(1);
    }
    expect(optionOf('audit', '--details')!.defaultValue).toBe(20);
    expect(optionOf('repair', '--details')!.defaultValue).toBe(20);
    expect(optionOf('repair', '--stale')!.defaultValue).toBe(30 * 60_000);
    // Durations are durations everywhere: no bare milliseconds in a default.
    expect(optionOf('sim', '--interval')!.defaultValueDescription).toBe('2s');
  });

  it('the common options have environment variables; secrets among them', () => {
    expect(optionOf('audit', '--config')!.envVar).toBe('SFSYNC_CONFIG');
    expect(optionOf('merge', '--config')!.envVar).toBe('SFSYNC_CONFIG');
    expect(optionOf('repair', '--notify')!.envVar).toBe('SFSYNC_NOTIFY');
    expect(optionOf('audit', '--pushgateway')!.envVar).toBe('SFSYNC_PUSHGATEWAY');
    expect(optionOf('doctor', '--statement-timeout')!.envVar).toBe('SFSYNC_STATEMENT_TIMEOUT');
    expect(optionOf('journal', '--lock-timeout')!.envVar).toBe('SFSYNC_LOCK_TIMEOUT');
  });

  it('--output takes FORMAT=FILE and only the formats of its command', () => {
    const formats = ['json', 'csv'] as const;
    expect(parseOutputFile('csv=out/a=b.csv', formats)).toEqual({
      format: 'csv',
      path: 'out/a=b.csv',
    });
    expect(() => parseOutputFile('csv', formats)).toThrow(/FORMAT=FILE/);
    expect(() => parseOutputFile('csv=', formats)).toThrow(/FORMAT=FILE/);
    expect(() => parseOutputFile('=a.csv', formats)).toThrow(/unknown format ""/);
    expect(() => parseOutputFile('html=a.html', formats)).toThrow(/choose from json, csv/);
    expect(optionOf('audit', '--output')).toBeDefined();
    expect(optionOf('merge', '--output')).toBeDefined();
    expect(optionOf('repair', '--output')).toBeDefined();
    expect(optionOf('backfill', '--output')).toBeDefined();
  });
});
