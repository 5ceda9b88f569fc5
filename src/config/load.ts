import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { compileConfig, type UrlOverrides } from './compile.js';
import { fromZodError } from './issues.js';
import { checkRules } from './rules.js';
import { configSchema } from './schema.js';
import type { Config } from './types.js';

export const DEFAULT_CONFIG_FILE = 'sfsync.config.json';

export interface LoadOptions extends UrlOverrides {
  /** `--config PATH`; without it, sfsync.config.json in `cwd`. */
  configPath?: string | undefined;
  cwd?: string;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const file = resolve(options.cwd ?? process.cwd(), options.configPath ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.configPath === undefined) {
      throw new UsageError(`no ${DEFAULT_CONFIG_FILE} in ${options.cwd ?? process.cwd()}: create one or pass --config PATH`);
    }
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${code ?? String(error)})` }]);
  }
  return parseConfig(text, file, options);
}

/** Parse, shape-check, rule-check and compile config text; every problem is reported at once. */
export function parseConfig(text: string, file: string, overrides: UrlOverrides = {}): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: describeJsonError(text, error) }]);
  }
  const shape = configSchema.safeParse(json);
  if (!shape.success) throw new ConfigError(file, fromZodError(shape.error, configSchema));
  const { issues, graph } = checkRules(shape.data);
  if (issues.length > 0 || !graph) throw new ConfigError(file, issues);
  return compileConfig(shape.data, graph, file, overrides);
}

/** JSON.parse names a character offset; people need a line and column. */
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  if (!position) return `not valid JSON: ${message}`;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `not valid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, '')}`;
}
