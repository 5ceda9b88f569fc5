import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

/** Debian's chromium (`.ci/run` installs it); CI sets SFSYNC_REQUIRE_BROWSER so a missing browser fails rather than skips. */
const CHROMIUM = process.env.SFSYNC_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.SFSYNC_REQUIRE_BROWSER) throw new Error(`SFSYNC_REQUIRE_BROWSER is set but there is no browser at ${CHROMIUM}`);

const db = useFixtureDatabases();
let browser: Browser;
let report: string;

beforeAll(async () => {
  if (!available) return;
  await buildAuditScenario(db);
  // A key that would run script if the report did not escape it.
  await db.mirror(`insert into salesforce.editor__c (editoruuid__c, name) values ($1, 'x')`, ['<img src=x onerror="document.title=1">']);
  const dir = await mkdtemp(join(tmpdir(), 'sfsync-html-'));
  report = join(dir, 'report.html');
  const audit = (...args: string[]) => runCli(['audit', '--config', FIXTURE_CONFIG, ...args], { env: fixtureEnv(db) });
  for (let i = 0; i < 2; i++) await audit('--record');
  const { code } = await audit('--record', '--html', report);
  expect(code).toBe(1);
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
  it('is one self-contained page: bars per entity, the graph, the trend and the list, with no request beyond itself', async () => {
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
    // The README's picture of the report: SFSYNC_SCREENSHOT=docs/audit-report.png npx vitest run test/e2e/html-report.test.ts
    await page.screenshot({ path: process.env.SFSYNC_SCREENSHOT ?? join(tmpdir(), 'sfsync-report.png') });
    expect(await page.locator('svg.bars g[data-entity]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-entity')))).toEqual([
      'school',
      'role',
      'school_class',
      'class_teacher',
      'lesson',
    ]);
    expect(await page.locator('svg.bars g[data-entity="role"] rect.segment').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-class')))).toEqual([
      'missing_parent',
      'failed',
      'absent',
      'drift',
    ]);
    expect(await page.locator('svg.graph g.node').count()).toBe(6);
    expect(await page.locator('svg.graph path.edge').count()).toBe(7);
    expect(await page.locator('svg.graph g.node[data-entity="role"] text').textContent()).toBe('3. role (7)');
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

  it('declares a Content Security Policy that forbids every fetch', async () => {
    const html = await readFile(report, 'utf8');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
});
