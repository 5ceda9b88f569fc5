import { resolve } from 'node:path';
import { RESERVED_NAMES } from '../core/identifier.js';
import { ConfigError, UsageError, type ConfigIssue } from '../errors.js';
import { compileConfig, type UrlOverrides } from './compile.js';
import { describeValue, formatPath, fromZodError, type PathSegment } from './issues.js';
import { checkRules } from './rules.js';
import { configSchema } from './schema.js';
import type { Config } from './types.js';
import { appendAll } from '../core/arrays.js';
import { MAX_INPUT_BYTES, readUserFile, UnreadableFileError } from './user-file.js';

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
    text = readUserFile(file, MAX_INPUT_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.configPath === undefined) {
      const directory = options.cwd ?? process.cwd();
      throw new UsageError(
        `no ${DEFAULT_CONFIG_FILE} in ${directory}: create one or pass --config PATH`,
      );
    }
    const reason = error instanceof UnreadableFileError ? error.message : (code ?? String(error));
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${reason})` }]);
  }
  return parseConfig(text, file, options);
}

/** Parse, shape-check, rule-check and compile config text; every problem is reported at once. */
export function parseConfig(text: string, file: string, overrides: UrlOverrides = {}): Config {
  let json: unknown;
  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: describeJsonError(body, error) }]);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError(file, [
      { path: '', message: `the file must hold a JSON object, found ${describeValue(json)}` },
    ]);
  }
  const forbidden = unsafeStructure(json);
  if (forbidden.length > 0) throw new ConfigError(file, forbidden);
  const shape = configSchema.safeParse(json, { reportInput: true });
  if (!shape.success) throw new ConfigError(file, fromZodError(shape.error, configSchema));
  const { issues, graph, deferred } = checkRules(shape.data);
  if (issues.length > 0 || !graph) throw new ConfigError(file, issues);
  return compileConfig(shape.data, graph, deferred, file, overrides);
}

/**
 * Far deeper than any config needs; deeper nesting is a mistake or an attack, and is refused before
 * anything walks it.
 */
const MAX_DEPTH = 32;

/**
 * `__proto__`, `constructor` and `prototype` (RESERVED_NAMES) as keys would
 * reach JavaScript object internals (a "fields" entry named `__proto__`
 * vanished silently): they are refused wherever they appear, before anything
 * else reads the value. Walked with a stack of its own, so depth cannot
 * overflow the call stack.
 */
function unsafeStructure(root: object): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length > MAX_DEPTH) {
      issues.push({
        path: formatPath(path.slice(0, MAX_DEPTH)),
        message: `nested more than ${MAX_DEPTH} levels deep: no sfsync setting is`,
      });
      continue;
    }
    const children: typeof stack = [];
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      if (!Array.isArray(value) && RESERVED_NAMES.includes(key)) {
        issues.push({
          path: formatPath(at),
          message:
            `the key "${key}" is not allowed: ` +
            'it names JavaScript object internals, never a table, column or setting',
        });
      } else {
        children.push({ value: child, path: at });
      }
    }
    // Reversed onto the stack, so the file is walked (and reported) in document order.
    appendAll(stack, children.reverse());
  }
  return issues;
}

/** JSON.parse names a character offset; people need a line and column. */
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  if (!position) return `not valid JSON: ${message}`;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  const reason = message.replace(/ in JSON at position \d+.*$/, '');
  return `not valid JSON at line ${line}, column ${column}: ${reason}`;
}
