import type { SimFaultCode } from '../sim/fault-texts.js';
import { terminalWidth } from './terminal-width.js';
import { prepareDemo } from '../ops/demo/prepare.js';
import { tellDemoStory, type DemoStep } from '../ops/demo/story.js';
import { DEFAULT_DEMO_SIZE } from '../sim/demo-data.js';
import type { CliContext } from './context.js';
import type { Progress } from './progress.js';
import type { OutputFormat } from './options.js';
import { auditSummaryJson, renderAuditTable } from '../render/audit.js';
import { renderJson } from '../render/json.js';
import { countsOnly } from '../render/action-log.js';
import { renderRepairTable } from '../render/repair.js';
import { demoConclusion } from '../render/demo.js';

/** The demo's story, step by step, as a person would run it by hand. */
export async function runDemo(
  context: CliContext,
  progress: Progress,
  options: {
    seed: number;
    schools: number;
    keep?: boolean | undefined;
    failRate: number;
    failCodes?: readonly SimFaultCode[] | undefined;
    format: OutputFormat;
  },
): Promise<void> {
  const started = Date.now();
  const json = options.format === 'json';
  // With --format json the story is told once, as one document at the end.
  const out = (text = '') => (json ? true : context.stdout.write(`${text}\n`));
  const width = terminalWidth(context);
  out(
    'sfsync demo — the parent/child race of Heroku Connect, found and repaired, ' +
      'on a throwaway PostgreSQL',
  );
  out();

  const env = await prepareDemo({
    seed: options.seed,
    keep: Boolean(options.keep),
    size: { ...DEFAULT_DEMO_SIZE, schools: options.schools },
    onStep: (text) => {
      context.signal.throwIfAborted();
      progress.update(`demo: ${text}`);
    },
  });
  try {
    progress.stop();
    out(
      `The app wrote ${env.app.written} rows to the mirror ` +
        `(${env.app.dropped} jobs died before writing).`,
    );
    out(
      `Heroku Connect (simulated) processed ${env.firstSync.processed} changes ` +
        `and FAILED ${env.firstSync.failed}: children that reached`,
    );
    out(
      'Salesforce before their parents ("Foreign key external ID … not found"). ' +
        'Connect never retries them.',
    );
    out(
      `${env.people.missing.length} teachers' Contacts never arrive from upstream: ` +
        'nothing here can fix their rows.',
    );
    out();

    const titles: Record<DemoStep, string> = {
      audit: 'Step 1/4  sfsync audit — what the race left behind',
      'repair --dry-run':
        'Step 2/4  sfsync repair --dry-run — the plan, parents first; nothing is written',
      'repair --yes --wait 30s':
        'Step 3/4  sfsync repair --yes --wait 30s — with Connect running, level by level',
      'audit again': 'Step 4/4  sfsync audit — after the repair',
    };
    let audits = 0;
    const { before, plan, rounds, after } = await tellDemoStory(env.config, {
      signal: context.signal,
      failRate: options.failRate,
      failCodes: options.failCodes,
      seed: options.seed,
      onProgress: (text) => progress.update(text),
      onEvent: (event) => {
        progress.stop();
        if (event.kind === 'step') out(titles[event.step]);
        else if (event.kind === 'audit')
          out(renderAuditTable(event.result, audits++ ? 5 : 3, width));
        else if (event.kind === 'plan')
          out(renderRepairTable(countsOnly(event.result), 'repair', 0, width));
        else {
          out(`round ${event.round}:`);
          out(renderRepairTable(countsOnly(event.result), 'repair', 0, width));
        }
      },
    });
    out(demoConclusion(before, after));
    out(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
    if (json) {
      context.stdout.write(
        renderJson('demo', {
          seed: options.seed,
          written: env.app.written,
          firstSync: { processed: env.firstSync.processed, failed: env.firstSync.failed },
          before: auditSummaryJson(before),
          plan: plan.summary,
          rounds: rounds.map((r) => ({ runId: r.runId, summary: r.summary })),
          after: auditSummaryJson(after),
          seconds: Math.round((Date.now() - started) / 1000),
          kept: options.keep ? { pid: env.server.pid, dir: env.server.dir } : null,
        }),
      );
    }
    if (options.keep) {
      out();
      out(
        `The databases stay up (PostgreSQL pid ${env.server.pid}, files in ${env.server.dir}). ` +
          'Try it by hand:',
      );
      out(`  export DATABASE_URL=${env.sourceUrl}`);
      out(`  export SALESFORCE_CONNECT_DB=${env.mirrorUrl}`);
      out('  npx sfsync audit --config fixtures/editor-api/sfsync.config.json');
      out('  npx sfsync journal --config fixtures/editor-api/sfsync.config.json');
      out(`Stop it with: kill -INT ${env.server.pid} && rm -rf ${env.server.dir}`);
    }
  } finally {
    if (!options.keep) await env.server.stop();
  }
}
