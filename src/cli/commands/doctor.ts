import { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { runDoctor } from '../../ops/doctor.js';
import type { CliContext } from '../context.js';
import { loadConfigFrom, withConfigOptions, withFormatOption, type ConfigOptions, type FormatOptions } from '../options.js';
import { renderDoctorJson, renderDoctorTable } from '../render/doctor.js';

export function doctorCommand(context: CliContext): Command {
  const command = new Command('doctor')
    .summary('check both databases against the config and report every problem')
    .description(
      'Connect to the source and mirror databases and check every table and column the config names,\n' +
        "the external-ID unique indexes, Heroku Connect's triggers and trigger log, and that this\n" +
        "session's get_xmlbinary() is 'base64' so sfsync's writes would be captured.\n" +
        'Exit codes: 0 usable (warnings allowed), 2 config problem, 3 database problem.',
    );
  withFormatOption(withConfigOptions(command));
  return command.action(async (options: ConfigOptions & FormatOptions) => {
    const config = loadConfigFrom(options, context);
    const report = await runDoctor(config, context.env);
    context.stdout.write(options.format === 'json' ? renderDoctorJson(report) : renderDoctorTable(report));
    context.exitCode = report.ok ? ExitCode.ok : ExitCode.database;
  });
}
