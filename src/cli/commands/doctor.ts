import { Command } from 'commander';
import { terminalWidth } from '../terminal-width.js';
import type { CliContext } from '../context.js';
import {
  loadRunConfig,
  sessionTimeouts,
  withConfigOptions,
  withFormatOption,
  type ConfigOptions,
  type FormatOptions,
} from '../options.js';

export function doctorCommand(context: CliContext): Command {
  const command = new Command('doctor')
    .summary('check both databases against the config and report every problem')
    .description(
      'Connect to the source and mirror databases and check every table and column the ' +
        "config names, the external-ID unique indexes, Heroku Connect's triggers and trigger " +
        "log, and that this session's get_xmlbinary() is 'base64' so sfsync's writes would be " +
        'captured. Lists the todo notes sfsync init left in the config: repair and backfill ' +
        'refuse to write while any remain, and doctor exits 2 for them too (0 with ' +
        '--allow-todo).\n\n' +
        'Exit codes: 0 usable (warnings allowed), 2 config problem or todo notes left, ' +
        '3 database problem.',
    )
    .option(
      '--allow-todo',
      'exit 0 even though todo notes remain (as repair and backfill --allow-todo would write)',
    );
  withFormatOption(withConfigOptions(command));
  return command.action(
    async (options: ConfigOptions & FormatOptions & { allowTodo?: boolean }) => {
      // Loaded on use, so `--help` and `--version` stay fast.
      const [{ runDoctor }, render, { doctorExitCode }] = await Promise.all([
        import('../../ops/doctor.js'),
        import('../../render/doctor.js'),
        import('../exit-codes.js'),
      ]);
      const config = await loadRunConfig(options, context);
      const report = await runDoctor(config, {
        timeouts: sessionTimeouts(options),
        allowTodo: options.allowTodo,
      });
      context.stdout.write(
        options.format === 'json'
          ? render.renderDoctorJson(report)
          : render.renderDoctorTable(report, terminalWidth(context)),
      );
      context.exitCode = doctorExitCode(report);
    },
  );
}
