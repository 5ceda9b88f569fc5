import { z } from 'zod';
import { didYouMean } from '../core/suggest.js';
import type { ConfigIssue } from '../errors.js';

export type PathSegment = string | number;

/** `entities[2].parents[0].entity`: how every config problem names its place. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Zod's findings as config issues, with a suggestion for every misspelt key. */
export function fromZodError(error: z.ZodError, root: z.ZodType): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(root, path);
      for (const key of issue.keys) {
        issues.push({ path: formatPath([...path, key]), message: `unknown key "${key}"${didYouMean(key, known)}` });
      }
    } else if (issue.code === 'invalid_key') {
      // A bad record key (a mirror column name under "fields"): say why the key is bad.
      issues.push({ path: formatPath(path), message: issue.issues[0]?.message ?? issue.message });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      issues.push({ path: formatPath(path), message: 'is required' });
    } else {
      issues.push({ path: formatPath(path), message: issue.message });
    }
  }
  return issues;
}

/** The keys the schema allows at `path`, found by walking the schema the way the value was walked. */
function knownKeys(root: z.ZodType, path: readonly PathSegment[]): string[] {
  let node: z.ZodType | undefined = root;
  for (const segment of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject && typeof segment === 'string') node = node.shape[segment] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray && typeof segment === 'number') node = node.element as z.ZodType;
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
