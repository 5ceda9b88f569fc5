import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG, ROOT } from '../support/paths.js';

/**
 * action.yml run for real, step by step, as the runner runs a composite action: each `run` step
 * with `bash --noprofile --norc -eo pipefail`, its `env:` and `working-directory:` evaluated, fresh
 * $GITHUB_OUTPUT files read back into `steps.<id>.outputs`, `if:` evaluated with the status
 * functions. The `uses:` steps (setup-node, upload-artifact) are not run: the test records what
 * they would have been given and checks it.
 */

interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}

interface Action {
  inputs: Record<string, { default: string }>;
  outputs: Record<string, { value: string }>;
  runs: { steps: Step[] };
}

type Value = string | number | boolean | null;

interface Contexts {
  /** Dotted names: `inputs.command`, `steps.run.outputs.exit-code`, `github.action_path`. */
  lookup(path: string): Value;
  failed: boolean;
  cancelled: boolean;
}

/**
 * The expressions of GitHub Actions that action.yml and the examples use: literals, context
 * paths, `!`, `==`, `!=`, `&&`, `||`, parentheses and the status functions. `&&` and `||` give an
 * operand, as GitHub's do; `==` compares strings case-insensitively, as GitHub does.
 */
function evaluate(expression: string, contexts: Contexts): Value {
  const tokens = [
    ...expression.matchAll(
      /\s*('(?:[^']|'')*'|[A-Za-z_][\w.-]*\(\)|[A-Za-z_][\w.-]*|&&|\|\||[!=]=|[!()])/gy,
    ),
  ].map((m) => m[1]!);
  if (tokens.join('').length !== expression.replace(/\s+/g, '').length)
    throw new Error(`cannot evaluate: ${expression}`);
  let at = 0;
  const truthy = (v: Value) => v !== null && v !== false && v !== '' && v !== 0;
  const text = (v: Value) => (v === null ? '' : String(v).toLowerCase());
  const primary = (): Value => {
    const token = tokens[at++]!;
    if (token === '!') return !truthy(primary());
    if (token === '(') {
      const value = or();
      if (tokens[at++] !== ')') throw new Error(`unbalanced: ${expression}`);
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
    if (token === 'true' || token === 'false') return token === 'true';
    if (token === 'always()') return true;
    if (token === 'success()') return !contexts.failed && !contexts.cancelled;
    if (token === 'failure()') return contexts.failed;
    if (token === 'cancelled()') return contexts.cancelled;
    if (token.endsWith('()')) throw new Error(`unknown function ${token}`);
    return contexts.lookup(token);
  };
  const comparison = (): Value => {
    const left = primary();
    const op = tokens[at];
    if (op !== '==' && op !== '!=') return left;
    at++;
    const equal = text(left) === text(primary());
    return op === '==' ? equal : !equal;
  };
  const and = (): Value => {
    let value = comparison();
    while (tokens[at] === '&&') {
      at++;
      const right = comparison();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const or = (): Value => {
    let value = and();
    while (tokens[at] === '||') {
      at++;
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`cannot evaluate: ${expression}`);
  return value;
}

/** An `if:` as the runner reads it: without a status function it means `success() && (…)`. */
function condition(source: string | undefined, contexts: Contexts): boolean {
  const expression = (source ?? 'success()').replace(/^\$\{\{([\s\S]*)}}$/, '$1').trim();
  const guarded = /\b(always|success|failure|cancelled)\(\)/.test(expression)
    ? expression
    : `success() && (${expression})`;
  const value = evaluate(guarded, contexts);
  return value !== null && value !== false && value !== '' && value !== 0;
}

/** `${{ … }}` inside a string, each replaced by its value. */
function interpolate(source: string, contexts: Contexts): string {
  return source.replace(/\$\{\{([\s\S]*?)}}/g, (_, expression: string) => {
    const value = evaluate(expression.trim(), contexts);
    return value === null ? '' : String(value);
  });
}

/** A $GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks. */
function readOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1);
      expect(end, `the end of output ${block[1]}`).toBeGreaterThan(i);
      outputs[block[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

function shell(
  argv: string[],
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'sfsync-step-')), 'step.sh');
  writeFileSync(file, script);
  return new Promise((resolve) => {
    execFile(
      argv[0]!,
      [...argv.slice(1), file],
      { cwd, env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface StepResult {
  name: string;
  ran: boolean;
  code?: number;
  stdout?: string;
  stderr?: string;
  /** A `uses:` step's inputs, evaluated, had it run. */
  with?: Record<string, string>;
}

interface ActionRun {
  steps: StepResult[];
  outputs: Record<string, string>;
  summary: string;
  /** The exit code of the step that failed the action, if one did. */
  failedWith?: number;
  workspace: string;
}

const action = parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as Action;
const NODE_DIR = dirname(process.execPath);

async function runAction(
  given: Record<string, string>,
  options: {
    env?: NodeJS.ProcessEnv;
    workspace?: string;
    actionPath?: string;
    path?: string;
    only?: (step: Step) => boolean;
  } = {},
): Promise<ActionRun> {
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'sfsync-workspace-'));
  const temp = mkdtempSync(join(tmpdir(), 'sfsync-runner-temp-'));
  const actionPath = options.actionPath ?? ROOT.replace(/\/$/, '');
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, input]) => [name, given[name] ?? input.default]),
  );
  for (const name of Object.keys(given)) expect(Object.keys(inputs)).toContain(name);
  const stepOutputs: Record<string, Record<string, string>> = {};
  const summaryFile = join(temp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const contexts: Contexts = {
    failed: false,
    cancelled: false,
    lookup(path) {
      const [context, ...rest] = path.split('.');
      if (context === 'inputs') return inputs[rest[0]!] ?? null;
      if (context === 'steps' && rest[1] === 'outputs')
        return stepOutputs[rest[0]!]?.[rest[2]!] ?? null;
      if (path === 'github.action_path') return actionPath;
      if (path === 'runner.temp') return temp;
      throw new Error(`no context ${path} in this test`);
    },
  };
  const run: ActionRun = { steps: [], outputs: {}, summary: '', workspace };
  for (const step of action.runs.steps) {
    if ((options.only && !options.only(step)) || !condition(step.if, contexts)) {
      run.steps.push({ name: step.name, ran: false });
      continue;
    }
    if (step.uses) {
      const inputs = Object.entries(step.with ?? {}).map(([k, v]) => [
        k,
        interpolate(String(v), contexts),
      ]);
      run.steps.push({ name: step.name, ran: true, with: Object.fromEntries(inputs) });
      continue;
    }
    expect(step.shell).toBe('bash');
    const outputFile = join(temp, `output-${run.steps.length}`);
    writeFileSync(outputFile, '');
    const env: NodeJS.ProcessEnv = {
      PATH: options.path ?? `${NODE_DIR}:${process.env.PATH}`,
      HOME: process.env.HOME,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: join(temp, 'env'),
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: temp,
      ...options.env,
      ...Object.fromEntries(
        Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, contexts)]),
      ),
    };
    const cwd = step['working-directory']
      ? interpolate(step['working-directory'], contexts)
      : workspace;
    const result = await shell(
      ['bash', '--noprofile', '--norc', '-eo', 'pipefail'],
      step.run!,
      cwd,
      env,
    );
    run.steps.push({ name: step.name, ran: true, ...result });
    if (step.id) stepOutputs[step.id] = readOutputs(outputFile);
    if (result.code !== 0) {
      contexts.failed = true;
      run.failedWith ??= result.code;
    }
  }
  for (const [name, output] of Object.entries(action.outputs))
    run.outputs[name] = interpolate(output.value, contexts);
  run.summary = readFileSync(summaryFile, 'utf8');
  return run;
}

const stepNamed = (run: ActionRun, name: RegExp) => run.steps.find((s) => name.test(s.name))!;

const db = useFixtureDatabases();

describe('the GitHub Action (action.yml), its steps run by bash', () => {
  describe('on a mirror in step with its source', () => {
    it('exits 0, writes no files and no summary when asked not to, logs the table', async () => {
      const run = await runAction(
        {
          command: 'audit',
          config: FIXTURE_CONFIG,
          html: '',
          csv: '',
          'markdown-summary': 'false',
        },
        { env: fixtureEnv(db) },
      );
      const sfsync = stepNamed(run, /^Run sfsync$/);
      expect(sfsync.stderr).toBe('');
      expect(sfsync.stdout).toContain('no mismatches');
      expect(sfsync.stdout).toContain('sfsync audit exited 0');
      expect(run.outputs).toEqual({ 'exit-code': '0', html: '', csv: '' });
      expect(run.summary).toBe('');
      // Nothing to upload, nothing to fail with.
      expect(stepNamed(run, /^Upload/).ran).toBe(false);
      expect(stepNamed(run, /^Exit with/).ran).toBe(false);
      expect(run.failedWith).toBeUndefined();
    });
  });

  describe('on a mirror with every audit class', () => {
    beforeAll(async () => {
      await buildAuditScenario(db);
    });

    it('writes the reports and the summary, uploads them, then fails with exit 1', async () => {
      const run = await runAction(
        { command: 'audit', config: FIXTURE_CONFIG, 'node-version': '24' },
        { env: fixtureEnv(db) },
      );
      // setup-node would have run; sfsync was installed already (this checkout), so no npm ci.
      expect(stepNamed(run, /^Set up Node/).with).toEqual({
        'node-version': '24',
        'package-manager-cache': 'false',
      });
      expect(stepNamed(run, /^Install/).stdout).toMatch(/^sfsync is installed in .* already\n$/);
      const html = join(run.workspace, 'sfsync-report.html');
      const csv = join(run.workspace, 'sfsync-mismatches.csv');
      expect(run.outputs).toEqual({ 'exit-code': '1', html, csv });
      expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
      const rows = readFileSync(csv, 'utf8').trim().split('\n');
      expect(rows).toHaveLength(1 + 15); // the header, then the 15 mismatches
      expect(run.summary).toMatch(/^## sfsync audit: 15 mismatches/m);
      expect(run.summary).toContain('### Canonical order');

      const upload = stepNamed(run, /^Upload/);
      expect(upload.ran).toBe(true);
      expect(upload.with).toEqual({
        name: 'sfsync-report',
        path: `${html}\n${csv}`,
        'retention-days': '30',
        'if-no-files-found': 'warn',
      });
      const exit = stepNamed(run, /^Exit with/);
      expect(exit.stdout).toBe('::error title=sfsync::sfsync exited 1: see the Run sfsync step\n');
      expect(run.failedWith).toBe(1);
      expect(run.steps.filter((s) => s.code !== undefined && s.code !== 0)).toEqual([exit]);
    });

    it('keeps exit codes other than 1: a database it cannot reach is 3', async () => {
      const run = await runAction(
        { command: 'audit', config: FIXTURE_CONFIG, 'node-version': '' },
        {
          env: fixtureEnv({
            sourceUrl: 'postgres://nobody@127.0.0.1:1/none',
            mirrorUrl: db.mirrorUrl,
          }),
        },
      );
      expect(stepNamed(run, /^Set up Node/).ran).toBe(false);
      expect(run.outputs['exit-code']).toBe('3');
      expect(run.failedWith).toBe(3);
      // An empty CSV and no HTML: nothing worth uploading.
      expect(run.outputs.html).toBe('');
      expect(run.outputs.csv).toBe('');
      expect(stepNamed(run, /^Upload/).ran).toBe(false);
    });

    it('merges shard reports named by a pattern in args, as `sfsync merge` does', async () => {
      const workspace = mkdtempSync(join(tmpdir(), 'sfsync-workspace-'));
      for (const k of [1, 2, 3]) {
        const shard = await runCli(
          ['audit', '--config', FIXTURE_CONFIG, '--shard', `${k}/3`, '--format', 'json'],
          { env: fixtureEnv(db) },
        );
        expect(shard.code).toBe(1);
        writeFileSync(join(workspace, `shard-${k}.json`), shard.stdout);
      }
      const run = await runAction(
        {
          command: 'merge',
          config: FIXTURE_CONFIG,
          args: 'shard-*.json --fail-on orphan --notify=',
          csv: 'merged.csv',
        },
        { workspace, env: {} },
      );
      const whole = await runCli(
        ['audit', '--config', FIXTURE_CONFIG, '--fail-on', 'orphan', '--format', 'csv'],
        { env: fixtureEnv(db) },
      );
      expect(run.outputs['exit-code']).toBe(String(whole.code));
      const merged = readFileSync(join(workspace, 'merged.csv'), 'utf8').split('\n');
      const audited = whole.stdout.split('\n');
      expect(merged[0]).toBe(audited[0]); // the same columns, the same number of rows
      expect(merged).toHaveLength(audited.length);
      expect(readFileSync(run.outputs.html!, 'utf8')).toMatch(/^<!doctype html>/i);
      expect(run.summary).toMatch(/^## sfsync audit: 15 mismatches/m);
    });

    it('leaves no earlier HTML report to be uploaded as this run', async () => {
      const workspace = mkdtempSync(join(tmpdir(), 'sfsync-workspace-'));
      writeFileSync(join(workspace, 'sfsync-report.html'), '<!doctype html> from last night');
      const run = await runAction(
        { command: 'merge', config: FIXTURE_CONFIG, args: 'no-such-shard.json' },
        { workspace, env: {} },
      );
      expect(run.outputs['exit-code']).toBe('2');
      expect(existsSync(join(workspace, 'sfsync-report.html'))).toBe(false);
      expect(run.outputs.html).toBe('');
    });
  });

  it('installs with npm ci --omit=optional, with no database URL in its env', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'sfsync-fake-npm-'));
    const seen = join(bin, 'seen');
    writeFileSync(
      join(bin, 'npm'),
      `#!/bin/sh\n{ echo "cwd=$PWD"; echo "args=$*"; env; } > '${seen}'\n`,
    );
    chmodSync(join(bin, 'npm'), 0o755);
    const actionPath = mkdtempSync(join(tmpdir(), 'sfsync-action-')); // not installed yet
    const run = await runAction(
      {},
      {
        actionPath,
        path: `${bin}:${NODE_DIR}:/usr/bin:/bin`,
        env: {
          DATABASE_URL: 'postgres://app:secret@db.example/app',
          SALESFORCE_CONNECT_DB: 'postgres://connect:secret@db.example/connect',
          npm_config_registry: 'https://registry.example/',
          HTTPS_PROXY: 'http://proxy.example:3128',
        },
        only: (step) => step.name === 'Install sfsync',
      },
    );
    expect(stepNamed(run, /^Install/).code).toBe(0);
    const lines = readFileSync(seen, 'utf8').split('\n');
    expect(lines).toContain(`cwd=${actionPath}`);
    expect(lines).toContain('args=ci --omit=optional --no-audit --no-fund');
    expect(lines).toContain('npm_config_registry=https://registry.example/');
    expect(lines).toContain('HTTPS_PROXY=http://proxy.example:3128');
    expect(lines).toContain(`HOME=${process.env.HOME}`);
    expect(lines.join('\n')).not.toContain('secret@');
    expect(lines.join('\n')).not.toMatch(/^(GITHUB_OUTPUT|GITHUB_STEP_SUMMARY)=/m);
  });
});

describe('the nightly example workflow', () => {
  it('repairs on request after an audit that finished, never when cancelled', async () => {
    const workflow = parse(
      await readFile(join(ROOT, 'examples/github-actions-nightly.yml'), 'utf8'),
    );
    const repairIf = workflow.jobs.repair.if as string;
    const decide = (
      facts: { event?: string; repair?: boolean; auditExit?: string; cancelled?: boolean } = {},
    ) =>
      condition(repairIf, {
        failed: true, // the audit job failed (or not): the condition must not depend on it
        cancelled: facts.cancelled ?? false,
        lookup(path) {
          const values: Record<string, Value> = {
            'github.event_name': facts.event ?? 'workflow_dispatch',
            'inputs.repair': facts.repair ?? true,
            'needs.audit.outputs.exit-code': facts.auditExit ?? '1',
          };
          if (!(path in values)) throw new Error(`no context ${path} in this test`);
          return values[path]!;
        },
      });
    expect(decide()).toBe(true); // a class grew: the audit job failed, the repair still runs
    expect(decide({ auditExit: '0' })).toBe(true);
    expect(decide({ auditExit: '3' })).toBe(false); // the databases could not be read
    expect(decide({ auditExit: '' })).toBe(false); // the audit never ran to its end
    expect(decide({ cancelled: true })).toBe(false);
    expect(decide({ repair: false })).toBe(false);
    expect(decide({ event: 'schedule' })).toBe(false);
  });

  it('the evaluator itself follows GitHub: a bare condition needs success', () => {
    const contexts = (failed: boolean): Contexts => ({
      failed,
      cancelled: false,
      lookup: () => 'x',
    });
    expect(condition("inputs.a == 'X'", contexts(false))).toBe(true);
    expect(condition("inputs.a == 'X'", contexts(true))).toBe(false);
    expect(condition("always() && inputs.a != ''", contexts(true))).toBe(true);
    expect(evaluate("'' || 'b' && 'c'", contexts(false))).toBe('c');
    expect(() => evaluate('inputs.a === 1', contexts(false))).toThrow();
  });
});

describe('examples/kubernetes/sharded-audit.yaml, its script run by sh', () => {
  interface Container {
    command: string[];
    env: { name: string; value?: string }[];
  }
  const root = mkdtempSync(join(tmpdir(), 'sfsync-k8s-'));
  const reports = join(root, 'reports');
  const bin = join(root, 'bin');
  let container: Container;
  /** One pod of the Indexed Job: the manifest's script, its paths moved under a temp dir. */
  const pod = (index: number, job: string, extra: NodeJS.ProcessEnv = {}) => {
    const script = container.command[2]!.replaceAll('/reports', reports).replaceAll(
      '/config/sfsync.config.json',
      FIXTURE_CONFIG,
    );
    const env = Object.fromEntries(
      container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]),
    );
    return shell([container.command[0]!], script, root, {
      PATH: `${bin}:${NODE_DIR}:/usr/bin:/bin`,
      HOME: process.env.HOME,
      ...env,
      ...fixtureEnv(db),
      PGSSLMODE: 'prefer', // the test server has no TLS; the manifest's `require` is for Heroku
      SLACK_WEBHOOK_URL: '',
      JOB_NAME: job,
      JOB_COMPLETION_INDEX: String(index),
      ...extra,
    });
  };

  beforeAll(async () => {
    const text = await readFile(join(ROOT, 'examples/kubernetes/sharded-audit.yaml'), 'utf8');
    const cron = parseAllDocuments(text)
      .map((d) => d.toJS())
      .find((d) => d.kind === 'CronJob');
    container = cron.spec.jobTemplate.spec.template.spec.containers[0];
    // The image puts sfsync on PATH; here it is this checkout's CLI.
    mkdirSync(bin);
    writeFileSync(join(bin, 'sfsync'), `#!/bin/sh\nexec node '${ROOT}bin/sfsync.js' "$@"\n`);
    chmodSync(join(bin, 'sfsync'), 0o755);
    await db.reset();
    await buildAuditScenario(db);
  });

  it('shards write whole reports; the merge records, then fails on growth', async () => {
    const shards = Number(container.env.find((e) => e.name === 'SHARDS')!.value);
    const night = async (job: string) => {
      for (let index = 0; index < shards; index++) {
        const result = await pod(index, job);
        expect(result, `shard pod ${index}`).toMatchObject({ code: 0 });
      }
      const files = readdirSync(join(reports, job)).sort();
      expect(files).toEqual(Array.from({ length: shards }, (_, k) => `shard-${k + 1}.json`));
      const shard = JSON.parse(readFileSync(join(reports, job, 'shard-2.json'), 'utf8'));
      expect(shard.shard).toEqual({ index: 2, count: shards });
      return pod(shards, job);
    };
    // A run from three weeks ago goes; what is not sfsync's stays.
    for (const old of ['sfsync-sharded-audit-0', 'lost+found']) {
      mkdirSync(join(reports, old), { recursive: true });
      const weeksAgo = new Date(Date.now() - 21 * 86_400_000);
      utimesSync(join(reports, old), weeksAgo, weeksAgo);
    }
    const first = await night('sfsync-sharded-audit-1');
    expect(readdirSync(reports).sort()).toEqual(['lost+found', 'sfsync-sharded-audit-1']);
    expect(first.code).toBe(0); // the first recorded run: a baseline, nothing to compare with
    expect(first.stdout).toMatch(/^## sfsync audit: 15 mismatches/m);
    expect(
      readFileSync(join(reports, 'sfsync-sharded-audit-1/sfsync-report.html'), 'utf8'),
    ).toMatch(/^<!doctype html>/i);

    await db.source(
      `INSERT INTO schools (id, name, website, municipality, country_code)
       VALUES ($1, 'Grown School', 'https://example.org', 'Cambridge', 'gb')`,
      [u(990)],
    );
    const grown = await night('sfsync-sharded-audit-2');
    expect(grown.code).toBe(1); // podFailurePolicy: FailIndex, not retried
    expect(grown.stdout).toContain('Grew since the previous recorded run');
  });

  it('a shard that cannot reach its database fails with 3, to be retried', async () => {
    const result = await pod(0, 'sfsync-sharded-audit-3', {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(result.code).toBe(3);
    expect(readdirSync(join(reports, 'sfsync-sharded-audit-3'))).toEqual(['shard-1.json.part']);
  });

  it('the merge gives up with 2 when a shard report never arrives', async () => {
    const result = await pod(4, 'sfsync-sharded-audit-4', { MERGE_WAIT_SECONDS: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sfsync: shard reports missing after 0 s in');
  });
});
