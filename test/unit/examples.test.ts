import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { invocationIn, invocationProblems } from '../support/cli-usage.js';
import { ROOT } from '../support/paths.js';

/** Every `npx sfsync …` invocation in a text (continuation lines joined), skipping comments. */
function invocations(text: string): string[][] {
  const found: string[][] = [];
  for (const line of text.replace(/\n\s+(?=--)/g, ' ').split('\n')) {
    if (line.trimStart().startsWith('#') || !line.includes('npx sfsync ')) continue;
    const invocation = invocationIn(line);
    if (invocation) found.push(invocation);
  }
  return found;
}

function checkInvocation(invocation: string[]): void {
  expect(invocationProblems(invocation)).toEqual([]);
}

describe('examples/', () => {
  it('the workflow audits nightly (history, metrics, HTML), repairs only on dispatch', async () => {
    const text = await readFile(join(ROOT, 'examples/github-actions-nightly.yml'), 'utf8');
    const workflow = parse(text);
    expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(workflow.on).toHaveProperty('workflow_dispatch');

    const auditSteps = workflow.jobs.audit.steps as {
      run?: string;
      uses?: string;
      if?: string;
      with?: Record<string, string>;
    }[];
    const auditRun = auditSteps.map((s) => s.run ?? '').join('\n');
    const [audit] = invocations(auditRun).filter(([name]) => name === 'audit');
    expect(audit).toEqual(
      expect.arrayContaining(['--record', '--fail-on-increase', '--html', '--metrics', '--notify']),
    );
    const upload = auditSteps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with!.path).toContain('sfsync-report.html');

    const repair = workflow.jobs.repair;
    expect(repair.needs).toBe('audit');
    expect(repair.if).toContain("github.event_name == 'workflow_dispatch'");
    const repairRun = (repair.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
    expect(invocations(repairRun).find(([name]) => name === 'repair')).toContain('--yes');
    // The scheduled path must never write.
    expect(invocations(auditRun).some(([name]) => name === 'repair' || name === 'backfill')).toBe(
      false,
    );
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
