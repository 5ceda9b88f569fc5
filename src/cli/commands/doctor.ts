import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { loadRunConfig, sessionTimeouts, withConfigOptions, withFormatOption, type ConfigOptions, type FormatOptions } from '../options.js';

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
    // Loaded on use, so `--help` and `--version` stay fast.
    const [{ runDoctor }, render, { doctorExitCode }] = await Promise.all([
      import('../../ops/doctor.js'),
      import('../render/doctor.js'),
      import('../exit-codes.js'),
    ]);
    const config = await loadRunConfig(options, context);
    const report = await runDoctor(config, { timeouts: sessionTimeouts(options) });
    context.stdout.write(options.format === 'json' ? render.renderDoctorJson(report) : render.renderDoctorTable(report));
    context.exitCode = doctorExitCode(report);
  });
}
