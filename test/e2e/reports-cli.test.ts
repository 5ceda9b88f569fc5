import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_CSV_COLUMNS } from '../../src/render/audit-csv.js';
import { REPAIR_CSV_COLUMNS } from '../../src/render/repair-csv.js';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { startHttpSink, type HttpSink } from '../support/http-sink.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

const db = useFixtureDatabases();
let dir: string;
const audit = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  runCli(['audit', '--config', FIXTURE_CONFIG, ...args], { env: fixtureEnv(db, extra) });
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are the point.
const ANSI = /\u001b\[/;

beforeAll(async () => {
  await buildAuditScenario(db);
  dir = await mkdtemp(join(tmpdir(), 'sfsync-reports-'));
});

describe('--format markdown', () => {
  it('in order: title, entity × class table, worst offenders, Mermaid, mismatches', async () => {
    const { code, stdout, stderr } = await audit(['--format', 'markdown', '--details', '2']);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const headings = stdout.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '## sfsync audit: 15 mismatches',
      '### Worst offenders',
      '### Canonical order',
      '#### school: 5, first 2',
      '#### role: 7, first 2',
      '#### school\\_class: 2',
      '#### lesson: 1',
    ]);
    expect(stdout).toContain(
      '| Entity | Source | Mirror | Unsynced | Oldest unsynced | source_duplicate | duplicate ' +
        '| missing_parent | failed | gave_up | absent | stuck | drift | orphan |',
    );
    expect(stdout).toMatch(
      /^\| school \| 7 \| 7 \| \d+ \| [^|]+ \| 0 \| 0 \| 0 \| 1 \| 0 \| 1 \| 1 \| 1 \| 1 \|$/m,
    );
    expect(stdout).toMatch(
      /^\| role \| 7 \| 4 \| \d+ \| [^|]+ \| 0 \| 0 \| 4 \| 1 \| 0 \| 1 \| 0 \| 1 \| 0 \|$/m,
    );
    expect(stdout).toMatch(/^\| \*\*total\*\* \| 19 \| 18 \| /m);
    expect(stdout).toContain(
      '| Rows | Entity | Class | Code | Where | Error (IDs stripped) | Example keys | Hint |',
    );
    // Four role rows wait for contacts that never arrived: one group, the contact IDs stripped from
    // the error.
    const offenders = stdout.slice(
      stdout.indexOf('### Worst offenders'),
      stdout.indexOf('### Canonical order'),
    );
    expect(offenders).toMatch(
      new RegExp(
        String.raw`^\| 1 \| role \| failed \| FOREIGN_KEY_NOT_FOUND \| ` +
          String.raw`field EditorUUID\\_\\_c in Editor\\_\\_c \| ` +
          'Foreign key external ID: &lt;value> not found ' +
          String.raw`for field EditorUUID\\_\\_c in entity Editor\\_\\_c \| ` +
          '`1` \\| the parent reached Salesforce after this row;',
        'm',
      ),
    );
    expect(offenders).not.toMatch(/Foreign key external ID: 00000000-/);
    const mermaid = stdout.slice(
      stdout.indexOf('```mermaid'),
      stdout.indexOf('```', stdout.indexOf('```mermaid') + 3) + 3,
    );
    expect(mermaid.split('\n')).toEqual([
      '```mermaid',
      'flowchart LR',
      '  e0["school: 5 mismatches"]',
      '  e1["contact"]',
      '  e2["role: 7 mismatches"]',
      '  e3["school_class: 2 mismatches"]',
      '  e4["class_teacher"]',
      '  e5["lesson: 1 mismatch"]',
      '  e0 --> e2',
      '  e1 --> e2',
      '  e0 --> e3',
      '  e3 --> e4',
      '  e1 --> e4',
      '  e3 --> e5',
      '  e1 --> e5',
      '  classDef mismatch fill:#fde2e1,stroke:#d1242f',
      '  class e0,e2,e3,e5 mismatch',
      '```',
    ]);
  });

  it('is appended to $GITHUB_STEP_SUMMARY whatever the format, after what was there', async () => {
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const first = await audit(['--format', 'json'], { GITHUB_STEP_SUMMARY: summary });
    const second = await audit([], { GITHUB_STEP_SUMMARY: summary });
    expect([first.code, second.code]).toEqual([1, 1]);
    JSON.parse(first.stdout);
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('# earlier step\n## sfsync audit: 15 mismatches')).toBe(true);
    expect(text.split('## sfsync audit: 15 mismatches')).toHaveLength(3);
  });
});

describe('--format csv', () => {
  it('is one RFC 4180 row per mismatch with the documented columns', async () => {
    const { code, stdout } = await audit(['--format', 'csv']);
    expect(code).toBe(1);
    expect(stdout.split('\r\n')[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    const rows = parseCsv(stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(15);
    expect(Object.keys(rows[0]!)).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(
      rows
        .filter((r) => r.entity === 'role')
        .map((r) => r.class)
        .sort(),
    ).toEqual([
      'absent',
      'drift',
      'failed',
      'missing_parent',
      'missing_parent',
      'missing_parent',
      'missing_parent',
    ]);
    const failed = rows.find((r) => r.entity === 'role' && r.class === 'failed')!;
    expect(failed).toMatchObject({
      key: '1',
      code: 'FOREIGN_KEY_NOT_FOUND',
      repairable: 'true',
      sfid: '',
      lastop: 'FAILED',
    });
    const waiting = rows.find(
      (r) => r.entity === 'role' && r.class === 'missing_parent' && r.parent_state === 'absent',
    )!;
    expect(waiting.parent_entity).toBe('contact');
    expect(waiting.parent_key).toMatch(/^00000000-0000-4000-8000-/);
  });
});

describe('--metrics', () => {
  const families = async (file: string) =>
    Object.fromEntries(parsePrometheus(await readFile(file, 'utf8')).map((f) => [f.name, f]));
  const sample = (
    family: { metrics: { labels?: Record<string, string>; value?: string }[] },
    labels: Record<string, string>,
  ) =>
    family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
      ?.value;

  it('atomic Prometheus text, every entity × class; findings (exit 1) are a success', async () => {
    const file = join(dir, 'audit.prom');
    const { code } = await audit(['--metrics', file]);
    expect(code).toBe(1);
    const metrics = await families(file);
    expect(Object.keys(metrics).sort()).toEqual([
      'sfsync_last_exit_code',
      'sfsync_last_run_timestamp_seconds',
      'sfsync_last_success_findings',
      'sfsync_last_success_timestamp_seconds',
      'sfsync_mismatches',
      'sfsync_oldest_unsynced_age_seconds',
      'sfsync_rows',
      'sfsync_run_duration_seconds',
    ]);
    expect(metrics.sfsync_mismatches!.type).toBe('GAUGE');
    // 5 writable entities × 9 classes, zeros included.
    expect(metrics.sfsync_mismatches!.metrics).toHaveLength(45);
    expect(sample(metrics.sfsync_mismatches!, { entity: 'role', class: 'missing_parent' })).toBe(
      '4',
    );
    expect(sample(metrics.sfsync_mismatches!, { entity: 'role', class: 'orphan' })).toBe('0');
    expect(sample(metrics.sfsync_rows!, { entity: 'role', side: 'source' })).toBe('7');
    expect(sample(metrics.sfsync_rows!, { entity: 'contact', side: 'mirror' })).toBeDefined();
    expect(sample(metrics.sfsync_rows!, { entity: 'contact', side: 'source' })).toBeUndefined();
    expect(
      Number(sample(metrics.sfsync_oldest_unsynced_age_seconds!, { entity: 'school' })),
    ).toBeGreaterThan(0);
    expect(sample(metrics.sfsync_last_exit_code!, { command: 'audit' })).toBe('1');
    expect(sample(metrics.sfsync_last_success_findings!, { command: 'audit' })).toBe('1');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a new last success on exit 0 or 1, keeps it when the run fails', async () => {
    const file = join(dir, 'success.prom');
    expect(
      (await audit(['--metrics', file, '--entity', 'school', '--fail-on', 'duplicate'])).code,
    ).toBe(0);
    const clean = await families(file);
    const first = sample(clean.sfsync_last_success_timestamp_seconds!, { command: 'audit' });
    expect(Number(first)).toBeGreaterThan(1_700_000_000);
    expect(sample(clean.sfsync_last_success_findings!, { command: 'audit' })).toBe('0');
    expect((await audit(['--metrics', file])).code).toBe(1);
    const found = await families(file);
    const second = sample(found.sfsync_last_success_timestamp_seconds!, { command: 'audit' });
    expect(Number(second)).toBeGreaterThanOrEqual(Number(first));
    expect(sample(found.sfsync_last_success_findings!, { command: 'audit' })).toBe('1');
    const down = 'postgres://nobody:secret@127.0.0.1:1/none';
    const failed = await audit(['--metrics', file], {
      DATABASE_URL: down,
      SALESFORCE_CONNECT_DB: down,
    });
    expect(failed.code).toBe(3);
    const after = await families(file);
    expect(sample(after.sfsync_last_success_timestamp_seconds!, { command: 'audit' })).toBe(second);
    expect(sample(after.sfsync_last_success_findings!, { command: 'audit' })).toBe('1');
    expect(sample(after.sfsync_last_exit_code!, { command: 'audit' })).toBe('3');
  });

  it('exits 74 on an unwritable file, once the report is out and the webhook told', async () => {
    const sink = await startHttpSink();
    try {
      const { code, stdout, stderr } = await audit([
        '--metrics',
        join(dir, 'no-such-dir', 'x.prom'),
        '--format',
        'json',
        '--notify',
        sink.url,
      ]);
      expect(code).toBe(74);
      expect(JSON.parse(stdout).totals.mismatches).toBe(15);
      expect(stderr).toMatch(/^sfsync: cannot write the metrics file .*no-such-dir.*ENOENT/m);
      expect(JSON.parse(sink.received[0]!.body).sfsync).toMatchObject({
        exitCode: 74,
        error: expect.stringContaining('cannot write the metrics file'),
      });
    } finally {
      await sink.close();
    }
  });
});

describe('--notify and --pushgateway', () => {
  let sink: HttpSink;
  afterAll(() => sink?.close());

  it('posts a Slack-compatible message when the run fails, and pushes the metrics', async () => {
    sink = await startHttpSink();
    const { code } = await audit([
      '--notify',
      `${sink.url}/hooks/secret-token`,
      '--pushgateway',
      sink.url,
      '--format',
      'json',
    ]);
    expect(code).toBe(1);
    const hook = sink.received.find((r) => r.url === '/hooks/secret-token')!;
    expect(hook).toMatchObject({ method: 'POST', contentType: 'application/json' });
    const body = JSON.parse(hook.body);
    expect(body.text).toMatch(/^sfsync audit on .+: 15 mismatches \(exit 1\)$/);
    expect(body.sfsync).toMatchObject({
      command: 'audit',
      exitCode: 1,
      mismatches: 15,
      error: null,
      increases: [],
    });
    const push = sink.received.find((r) => r.url === '/metrics/job/sfsync/command/audit')!;
    expect(push.method).toBe('POST');
    expect(parsePrometheus(push.body).map((f) => f.name)).toContain('sfsync_mismatches');
  });

  it('stays quiet when the run succeeds', async () => {
    sink = await startHttpSink();
    const { code } = await audit([
      '--notify',
      sink.url,
      '--entity',
      'school',
      '--fail-on',
      'duplicate',
    ]);
    expect(code).toBe(0);
    expect(sink.received).toEqual([]);
  });

  it('reports a webhook that fails or never answers, and keeps the audit exit code', async () => {
    sink = await startHttpSink((r) => (r.url.startsWith('/down') ? 500 : 'hang'));
    const down = await audit(['--notify', `${sink.url}/down?token=hunter2`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      new RegExp(
        String.raw`^sfsync: warning: --notify: http:\/\/127\.0\.0\.1:\d+: HTTP 500: ` +
          String.raw`upstream says no \(4 attempts\)$`,
        'm',
      ),
    );
    expect(down.stderr).not.toContain('hunter2');
    // The sink never answers: only the 1 s timeout can end the call, and the message says it did.
    const hang = await audit([
      '--notify',
      `${sink.url}/slow`,
      '--notify-timeout',
      '1s',
      '--entity',
      'school',
      '--fail-on',
      'duplicate,absent',
    ]);
    expect(hang.code).toBe(1);
    expect(hang.stderr).toMatch(
      /warning: --notify: http:\/\/127\.0\.0\.1:\d+: no answer within 1 s/,
    );
  });

  it('takes an empty URL (an unset secret) as off, with a one-line note', async () => {
    const { code, stderr } = await audit(['--notify', '', '--pushgateway=', '--format', 'json']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'sfsync: note: --notify is empty, so it is off\n' +
        'sfsync: note: --pushgateway is empty, so it is off\n',
    );
  });

  it('refuses a URL that is not http(s) as a usage error', async () => {
    const { code, stderr } = await audit(['--notify', 'file:///etc/passwd']);
    expect(code).toBe(2);
    expect(stderr).toContain('only http and https URLs are supported');
  });

  it('refuses a bad URL in one line that never repeats it (its path is the secret)', async () => {
    for (const [option, value, says] of [
      [
        '--notify',
        'hooks.slack.com/services/T0/B0/N0tAUrlS3cret',
        'not a URL (expected http:// or https://, then a host)',
      ],
      [
        '--pushgateway',
        'ftp://user:Pa55w0rd@push.example.com/Ftp5ecret',
        'only http and https URLs are supported, not ftp:',
      ],
    ]) {
      const { code, stderr } = await audit([`${option}=${value}`]);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `sfsync: ${option}: ${says}; the value is not shown, as a webhook URL is a secret\n`,
      );
    }
    // commander's own messages quote what they cannot parse, a mistyped option's value included.
    const typo = await audit(['--notfy=https://hooks.slack.com/services/T0/B0/Typ0S3cret']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option '--notfy=https://hooks.slack.com/***'");
    expect(typo.stderr).not.toContain('Typ0S3cret');
  });

  it('sends Pushgateway user info as an Authorization header, never in a message', async () => {
    sink = await startHttpSink();
    const gateway = sink.url.replace('http://', 'http://push%20user:p%40ss%3Aw0rd@');
    const { code, stderr } = await audit(['--pushgateway', gateway, '--entity', 'lesson']);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const push = sink.received.find((r) => r.url === '/metrics/job/sfsync/command/audit')!;
    expect(push.authorization).toBe(
      `Basic ${Buffer.from('push user:p@ss:w0rd').toString('base64')}`,
    );
  });

  it("shows a webhook's answer and a file's name escaped for the terminal", async () => {
    sink = await startHttpSink(() => ({
      status: 500,
      body: 'no\u001b]0;owned\u0007\u001b[2J\u202eway',
    }));
    const file = join(dir, 'no-such-\u001b[31mdir', 'x.prom');
    const { code, stderr } = await audit([
      '--notify',
      `${sink.url}/hook`,
      '--metrics',
      file,
      '--entity',
      'lesson',
    ]);
    expect(code).toBe(74);
    expect(['\u001b', '\u0007', '\u202e'].filter((c) => stderr.includes(c))).toEqual([]);
    expect(stderr).toMatch(
      new RegExp(
        String.raw`^sfsync: warning: --notify: http:\/\/127\.0\.0\.1:\d+: HTTP 500: ` +
          String.raw`no\\u\{001B\}\]0;owned\\u\{0007\}\\u\{001B\}\[2J\\u\{202E\}way ` +
          String.raw`\(4 attempts\)$`,
        'm',
      ),
    );
    expect(stderr).toMatch(
      /^sfsync: cannot write the metrics file .*no-such-\\u\{001B\}\[31mdir.*ENOENT/m,
    );
  });
});

describe('off a terminal', () => {
  it('no ANSI escapes in any format, even with FORCE_COLOR=0/NO_COLOR; no progress', async () => {
    for (const format of ['table', 'json', 'ndjson', 'markdown', 'csv']) {
      for (const extra of [{}, { CI: 'true' }, { NO_COLOR: '1', FORCE_COLOR: '1' }]) {
        const { stdout, stderr } = await audit(['--format', format, '--entity', 'lesson'], extra);
        expect(ANSI.test(stdout), `${format} ${JSON.stringify(extra)}`).toBe(false);
        expect(stderr).toBe('');
      }
    }
  });

  it('colours the table when FORCE_COLOR asks for it', async () => {
    const { stdout } = await audit(['--entity', 'lesson'], { FORCE_COLOR: '1' });
    expect(stdout).toContain('\u001b[31m1 mismatch\u001b[39m');
  });

  it('--verbose prints progress as plain lines, --quiet prints none', async () => {
    const verbose = await audit(['--verbose', '--entity', 'lesson', '--format', 'json']);
    expect(verbose.stderr).toMatch(/^sfsync: lesson: \d+ keys$/m);
    expect(ANSI.test(verbose.stderr)).toBe(false);
    const quiet = await audit(['--quiet', '--entity', 'lesson', '--format', 'json']);
    expect(quiet.stderr).toBe('');
    expect((await audit(['-q', '-v'])).code).toBe(2);
  });
});

describe('repair and backfill reports', () => {
  const repair = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runCli(['repair', '--config', FIXTURE_CONFIG, '--dry-run', ...args], {
      env: fixtureEnv(db, extra),
    });

  it('markdown: the verdict, entity × action × status, what is not done, the order', async () => {
    const { code, stdout } = await repair(['--format', 'markdown', '--detailed-exit-code']);
    expect(code).toBe(1);
    expect(stdout.split('\n').filter((line) => line.startsWith('#'))).toEqual([
      expect.stringMatching(
        /^## sfsync repair --dry-run: \d+ change\(s\) planned, \d+ deferred, \d+ skipped$/,
      ),
      expect.stringMatching(/^### Not done/),
      '### Canonical order',
    ]);
    expect(stdout).toContain('| Entity | Action | planned | done | failed | deferred | skipped |');
    expect(stdout).toMatch(/^\| role \| reinsert \| 1 \| 0 \| 0 \| 0 \| 0 \|$/m);
  });

  it('csv: one row per action with the documented columns', async () => {
    const { stdout } = await repair(['--format', 'csv']);
    const rows = parseCsv(stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...REPAIR_CSV_COLUMNS]);
    expect(rows.find((r) => r.entity === 'role' && r.key === '1')).toMatchObject({
      action: 'reinsert',
      status: 'planned',
      class: 'failed',
      code: 'FOREIGN_KEY_NOT_FOUND',
    });
  });

  it('metrics: actions by entity, action and status', async () => {
    const file = join(dir, 'repair.prom');
    await repair(['--metrics', file]);
    const families = Object.fromEntries(
      parsePrometheus(await readFile(file, 'utf8')).map((f) => [f.name, f]),
    );
    const reinsert = families.sfsync_repair_actions!.metrics.find(
      (m) => m.labels?.entity === 'role' && m.labels.action === 'reinsert',
    );
    expect(reinsert).toEqual({
      labels: { entity: 'role', action: 'reinsert', status: 'planned', mode: 'plan' },
      value: '1',
    });
    // A dry run that computed its plan exits 0.
    expect(families.sfsync_last_exit_code!.metrics[0]).toEqual({
      labels: { command: 'repair', mode: 'plan' },
      value: '0',
    });
    expect(families.sfsync_mismatches).toBeUndefined();
  });

  it('backfill --order: Mermaid in markdown, one row per entity in CSV', async () => {
    const md = await runCli([
      'backfill',
      '--order',
      '--config',
      FIXTURE_CONFIG,
      '--format',
      'markdown',
    ]);
    expect(md.stdout).toContain(
      'Parents before children: school → contact → role → school_class → class_teacher → lesson',
    );
    expect(md.stdout).toContain('  e0 --> e2');
    const csv = parseCsv(
      (await runCli(['backfill', '--order', '--config', FIXTURE_CONFIG, '--format', 'csv'])).stdout,
      { columns: true },
    );
    expect(csv[0]).toEqual({
      position: '1',
      level: '0',
      entity: 'school',
      mirror_table: 'editor__c',
      parents: '',
    });
  });

  it('a run stopped by a database error still writes its metrics and notifies', async () => {
    const sink = await startHttpSink();
    try {
      const file = join(dir, 'down.prom');
      const down = 'postgres://nobody:secret@127.0.0.1:1/none';
      const { code, stderr } = await runCli(
        ['audit', '--config', FIXTURE_CONFIG, '--metrics', file, '--notify', sink.url],
        {
          env: { DATABASE_URL: down, SALESFORCE_CONNECT_DB: down },
        },
      );
      expect(code).toBe(3);
      expect(stderr).not.toContain('secret');
      const families = Object.fromEntries(
        parsePrometheus(await readFile(file, 'utf8')).map((f) => [f.name, f]),
      );
      expect(families.sfsync_last_exit_code!.metrics[0]!.value).toBe('3');
      expect(families.sfsync_last_success_timestamp_seconds).toBeUndefined();
      const body = JSON.parse(sink.received[0]!.body);
      expect(body.text).toMatch(/^sfsync audit on .+: failed: .*source database.* \(exit 3\)$/);
      expect(sink.received[0]!.body).not.toContain('secret');

      // A config that cannot be used is a failure too: the nightly job must hear about a missing
      // secret.
      const summary = join(dir, 'config-error.md');
      const unset = await runCli(
        ['audit', '--config', FIXTURE_CONFIG, '--metrics', file, '--notify', sink.url],
        { env: { GITHUB_STEP_SUMMARY: summary } },
      );
      expect(unset.code).toBe(2);
      expect(JSON.parse(sink.received[1]!.body).sfsync).toMatchObject({
        exitCode: 2,
        error: expect.stringContaining('DATABASE_URL'),
      });
      expect(await readFile(summary, 'utf8')).toMatch(
        /^## sfsync audit failed \(exit 2\)\n\n```\n[^`]*DATABASE_URL/,
      );
    } finally {
      await sink.close();
    }
  });
});
