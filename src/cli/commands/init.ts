import { Command, InvalidArgumentError } from 'commander';
import { terminalWidth } from '../terminal-width.js';
import { isPlainIdentifier } from '../../core/identifier.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { configFileOption, withFormatOption, type OutputFormat } from '../options.js';
import { repeatableOption } from '../parse-options.js';

interface InitCliOptions {
  config: string;
  force?: boolean;
  sourceUrl?: string;
  mirrorUrl?: string;
  sourceEnv: string;
  mirrorEnv: string;
  sourceSchema: string;
  mirrorSchema: string;
  map: string[];
  fromExport?: string;
  format: OutputFormat;
}

function schemaName(value: string): string {
  // The rules the config applies to the schema it will hold, so the file init writes loads.
  if (!isPlainIdentifier(value))
    throw new InvalidArgumentError(
      'expected a plain SQL identifier (letters, digits, _; at most 63 characters)',
    );
  return value;
}

function envName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    throw new InvalidArgumentError('expected an environment variable name');
  return value;
}

export function initCommand(context: CliContext): Command {
  const command = new Command('init')
    .summary(
      'write a starter sfsync.config.json from the databases (or a Connect export), then check it',
    )
    .description(
      'Reads the mirror (mapped tables, external-ID unique indexes, <rel>__r__<ext> lookups, ' +
        'read-only mappings in the trigger log) and the source (tables and columns whose names ' +
        "match the mirror's, primary and foreign keys), writes a config with everything it could " +
        'infer and "todo" notes where it could not, then runs the checks of `sfsync doctor` on ' +
        'it. The config reads both URLs from environment variables (env:NAME); it never ' +
        'contains a URL.\n\n' +
        'Exit codes: 0 written and usable (todo notes allowed), 2 usage (the file exists: ' +
        '--force), 3 database.',
    )
    .addOption(configFileOption('where to write the config', 'sfsync.config.json'))
    .option('--force', 'overwrite an existing file')
    .option('--source-url <url>', 'source database to read (default: the --source-env variable)')
    .option('--mirror-url <url>', 'mirror database to read (default: the --mirror-env variable)')
    .option(
      '--source-env <name>',
      'environment variable the config reads the source URL from',
      envName,
      'DATABASE_URL',
    )
    .option(
      '--mirror-env <name>',
      'environment variable the config reads the mirror URL from',
      envName,
      'SALESFORCE_CONNECT_DB',
    )
    .option('--source-schema <schema>', 'source schema', schemaName, 'public')
    .option('--mirror-schema <schema>', 'mirror schema', schemaName, 'salesforce')
    .addOption(
      repeatableOption(
        '--map <mirror=source>',
        'which source table feeds a mirror table, where names differ (repeatable)',
        'match by name',
      ),
    )
    .option(
      '--from-export <file>',
      'a Heroku Connect mapping export (heroku connect:export): ' +
        'objects, fields, access, external IDs',
    );
  return withFormatOption(command).action((options: InitCliOptions) => runInit(options, context));
}

async function runInit(options: InitCliOptions, context: CliContext): Promise<void> {
  const [
    { access, writeFile },
    { resolve },
    { inferFromDatabases },
    { readConnectExport },
    { loadConfig },
    { resolveConfig },
    { runDoctor },
    { initExitCode },
    render,
  ] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('../../ops/init.js'),
    import('../../config/connect-export.js'),
    import('../../config/load.js'),
    import('../../config/resolve-url.js'),
    import('../../ops/doctor.js'),
    import('../exit-codes.js'),
    import('../../render/init.js'),
  ]);
  const file = resolve(context.cwd, options.config);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists && !options.force)
    throw new UsageError(`${options.config} exists: pass --force to overwrite it`);
  const urls = {
    source: databaseUrl('source', options.sourceUrl, options.sourceEnv, context.env),
    mirror: databaseUrl('mirror', options.mirrorUrl, options.mirrorEnv, context.env),
  };
  const inferred = await inferFromDatabases({
    source: {
      role: 'source',
      schema: options.sourceSchema,
      url: urls.source,
      sslModeFromEnv: context.env.PGSSLMODE,
    },
    mirror: {
      role: 'mirror',
      schema: options.mirrorSchema,
      url: urls.mirror,
      sslModeFromEnv: context.env.PGSSLMODE,
    },
    urlRefs: { source: `env:${options.sourceEnv}`, mirror: `env:${options.mirrorEnv}` },
    tableMap: parseMap(options.map),
    exported: options.fromExport
      ? await readConnectExport(resolve(context.cwd, options.fromExport))
      : undefined,
  });
  const text = `${JSON.stringify(inferred.config, null, 2)}\n`;
  if (options.force) await replaceConfig(file, options.config, text);
  else {
    // 'wx' again at the write: a file that appeared while the databases were read is not
    // overwritten either.
    await writeFile(file, text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EEXIST'
        ? new UsageError(`${options.config} exists: pass --force to overwrite it`)
        : error;
    });
  }
  // The file must load as any config does; then the same checks as `sfsync doctor`, against the
  // databases just read.
  const config = resolveConfig(
    loadConfig({ configPath: file, sourceUrl: urls.source, mirrorUrl: urls.mirror }),
    context.env,
  );
  const report = await runDoctor(config);
  context.stdout.write(
    options.format === 'json'
      ? render.renderInitJson(options.config, config, report)
      : render.renderInitTable(options.config, config, report, options, terminalWidth(context)),
  );
  context.exitCode = initExitCode(report);
}

/**
 * --force: the config replaced atomically, through symbolic links, but only where a regular file is
 * (or nothing): never a device, a FIFO or a directory.
 */
async function replaceConfig(file: string, shown: string, text: string): Promise<void> {
  const [{ reportPath }, { writeFileAtomic }] = await Promise.all([
    import('../reports/report-path.js'),
    import('../reports/write-atomic.js'),
  ]);
  const target = await reportPath(file);
  if (target.kind !== 'file') {
    const reason =
      target.kind === 'refused'
        ? target.reason
        : `is this process's standard ${target.stream === 'stdout' ? 'output' : 'error'}, ` +
          'not a file';
    throw new UsageError(
      `--config ${shown}: it ${reason}; init writes the config to a regular file`,
    );
  }
  await writeFileAtomic(target.path, text, 'config', shown);
}

function databaseUrl(
  role: 'source' | 'mirror',
  flag: string | undefined,
  variable: string,
  env: NodeJS.ProcessEnv,
): string {
  const url = flag?.trim() || env[variable]?.trim();
  if (!url)
    throw new UsageError(`no ${role} database to read: pass --${role}-url or set ${variable}`);
  return url;
}

/** `--map editor__c=schools` → editor__c ↦ schools. */
function parseMap(pairs: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of pairs) {
    const match = /^([^=]+)=([^=]+)$/.exec(pair.trim());
    if (!match || !isPlainIdentifier(match[1]!) || !isPlainIdentifier(match[2]!))
      throw new UsageError(
        `--map ${pair}: expected <mirror table>=<source table>, e.g. --map editor__c=schools`,
      );
    map.set(match[1]!.toLowerCase(), match[2]!);
  }
  return map;
}
