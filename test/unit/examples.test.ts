import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CliContext } from '../../src/cli/context.js';
import { createProgram } from '../../src/cli/program.js';
import { ROOT } from '../support/paths.js';

const program = createProgram({ stdout: { write: () => true }, stderr: process.stderr, env: {}, argv: [] } as unknown as CliContext);

/** Words of a shell line, quotes removed (enough for the lines in examples/). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Every `npx sfsync …` invocation in a text, as [command, ...arguments] up to a redirection or the end of the line. */
function invocations(text: string): string[][] {
  const found: string[][] = [];
  for (const line of text.replace(/\n\s+(?=--)/g, ' ').split('\n')) {
    const at = line.indexOf('npx sfsync ');
    if (at < 0 || line.trimStart().startsWith('#')) continue;
    const args = words(line.slice(at + 'npx sfsync '.length));
    const end = args.findIndex((w) => w === '>' || w === '|' || w === '&&');
    found.push(end < 0 ? args : args.slice(0, end));
  }
  return found;
}

/** Each argument is a real option of that command (or a global one), and options that take a value have one. */
function checkInvocation([name, ...args]: string[]): void {
  const command = program.commands.find((c) => c.name() === name) as Command | undefined;
  expect(command, `sfsync ${name} exists`).toBeDefined();
  const options = [...command!.options, ...program.options];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) continue;
    const option = options.find((o) => o.long === arg || o.short === arg);
    expect(option, `sfsync ${name} ${arg} is an option`).toBeDefined();
    if (option!.required || option!.optional) {
      const value = args[++i];
      expect(value !== undefined && !value.startsWith('--'), `sfsync ${name} ${arg} has a value`).toBe(true);
    }
  }
}

describe('examples/', () => {
  it('the GitHub Actions workflow audits nightly with history, metrics and HTML, and repairs only when dispatched', async () => {
    const text = await readFile(join(ROOT, 'examples/github-actions-nightly.yml'), 'utf8');
    const workflow = parse(text);
    expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(workflow.on).toHaveProperty('workflow_dispatch');

    const auditSteps = workflow.jobs.audit.steps as { run?: string; uses?: string; if?: string; with?: Record<string, string> }[];
    const auditRun = auditSteps.map((s) => s.run ?? '').join('\n');
    const [audit] = invocations(auditRun).filter(([name]) => name === 'audit');
    expect(audit).toEqual(expect.arrayContaining(['--record', '--fail-on-increase', '--html', '--metrics', '--notify']));
    const upload = auditSteps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with!.path).toContain('sfsync-report.html');

    const repair = workflow.jobs.repair;
    expect(repair.needs).toBe('audit');
    expect(repair.if).toContain("github.event_name == 'workflow_dispatch'");
    const repairRun = (repair.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
    expect(invocations(repairRun).find(([name]) => name === 'repair')).toContain('--yes');
    // The scheduled path must never write.
    expect(invocations(auditRun).some(([name]) => name === 'repair' || name === 'backfill')).toBe(false);
  });

  it.each(['github-actions-nightly.yml', 'gitlab-ci.yml', 'heroku-scheduler.txt', 'Dockerfile'])(
    '%s calls only commands and options that exist',
    async (file) => {
      const text = await readFile(join(ROOT, 'examples', file), 'utf8');
      if (file.endsWith('.yml')) parse(text);
      const found = invocations(text);
      if (file !== 'Dockerfile') expect(found.length).toBeGreaterThan(0);
      for (const invocation of found) checkInvocation(invocation);
    },
  );

  it('the GitLab job audits only on a schedule and repairs only by hand', async () => {
    const jobs = parse(await readFile(join(ROOT, 'examples/gitlab-ci.yml'), 'utf8'));
    expect(jobs['sfsync-audit'].rules[0].if).toContain('schedule');
    expect(jobs['sfsync-repair'].rules[0].when).toBe('manual');
  });

  it('the checker itself refuses an unknown option', () => {
    expect(() => checkInvocation(['audit', '--no-such-flag'])).toThrow();
    expect(() => checkInvocation(['audit', '--metrics'])).toThrow();
    expect(() => checkInvocation(['no-such-command'])).toThrow();
  });
});
