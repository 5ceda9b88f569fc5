import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withFormatOption, type OutputFormat } from '../options.js';
import { parseCount, failCodesOption, parseRate } from '../parse-options.js';
import type { SimFaultCode } from '../../sim/fault-texts.js';
import { startProgress } from '../progress.js';

interface DemoCliOptions {
  seed: number;
  schools: number;
  keep?: boolean;
  failRate: number;
  failCodes: SimFaultCode[];
  format: OutputFormat;
}

export function demoCommand(context: CliContext): Command {
  const command = new Command('demo')
    .summary('the whole loop on a throwaway PostgreSQL: the race, the audit, the repair')
    .description(
      'Starts a throwaway PostgreSQL, loads the editor-api fixtures, writes a realistic data ' +
        "set to the mirror the way an app's independent jobs do, lets a simulated Heroku " +
        'Connect send it (children sometimes reach Salesforce before their parents and FAIL), ' +
        'then runs audit, repair --dry-run, repair --wait with Connect running, and a final ' +
        'audit. Needs no database of yours.',
    )
    .option('--seed <n>', 'seed for the data set and the race', parseCount, 7)
    .option(
      '--schools <n>',
      'schools to generate (each brings staff, classes, lessons)',
      parseCount,
      300,
    )
    .option(
      '--fail-rate <p>',
      'chance that a write Connect sends fails with one of --fail-codes',
      parseRate,
      0,
    )
    .addOption(failCodesOption())
    .option('--keep', 'leave the database running and print how to use it');
  return withFormatOption(command).action(async (options: DemoCliOptions) => {
    const { runDemo } = await import('../demo-script.js');
    const progress = await startProgress(context, 'demo');
    try {
      await runDemo(context, progress, options);
    } finally {
      progress.stop();
    }
  });
}
