import { z } from 'zod';
import { quote } from '../core/quote.js';
import { didYouMean } from '../core/suggest.js';
import type { ConfigIssue } from '../errors.js';

export type PathSegment = string | number;

/** `entities[2].parents[0].entity`: how every config problem names its place. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${quote(segment)}]`;
  }
  return out;
}

/** Zod's findings as config issues, with a suggestion for every misspelt key. */
export function fromZodError(error: z.ZodError, root: z.ZodType): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter(
      (segment): segment is PathSegment => typeof segment !== 'symbol',
    );
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(root, path);
      for (const key of issue.keys) {
        issues.push({
          path: formatPath([...path, key]),
          message: `unknown key ${quote(key)}${didYouMean(key, known)}`,
        });
      }
    } else if (issue.code === 'invalid_key') {
      // A bad record key (a mirror column name under "fields"): say why the key is bad.
      issues.push({ path: formatPath(path), message: issue.issues[0]?.message ?? issue.message });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      issues.push({ path: formatPath(path), message: 'is required' });
    } else if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
      // Zod's own wording ("Invalid input: …") gives way to ours; a schema's own message (say,
      // 'expected true or false') stays.
      const expected = issue.message.startsWith('Invalid input')
        ? `expected ${describeExpected(issue)}`
        : issue.message;
      issues.push({
        path: formatPath(path),
        message: `${expected}, found ${describeValue(issue.input)}`,
      });
    } else {
      issues.push({ path: formatPath(path), message: issue.message });
    }
  }
  return issues;
}

const EXPECTED: Readonly<Record<string, string>> = {
  boolean: 'true or false',
  string: 'a string',
  number: 'a number',
  object: 'an object',
  array: 'an array',
  record: 'an object',
};

function describeExpected(issue: z.core.$ZodIssue): string {
  const expected =
    'expected' in issue && typeof issue.expected === 'string' ? issue.expected : undefined;
  return (expected && EXPECTED[expected]) ?? expected ?? 'another kind of value';
}

/** A JSON value as a person would name it: `string "yes"`, `number 5`, `an array`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string ${quote(value, 40)}`;
  if (typeof value === 'number' || typeof value === 'boolean')
    return `${typeof value} ${String(value)}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/**
 * The keys the schema allows at `path`, found by walking the schema the way the value was walked.
 */
function knownKeys(root: z.ZodType, path: readonly PathSegment[]): string[] {
  let node: z.ZodType | undefined = root;
  for (const segment of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject && typeof segment === 'string')
      node = node.shape[segment] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray && typeof segment === 'number')
      node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return [];
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodType | undefined): z.ZodType | undefined {
  let current = node;
  while (current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current;
}
