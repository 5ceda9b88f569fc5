import { FORMAT_VERSION } from '../render/json.js';
import type { ErrorKind } from '../errors.js';

export interface ErrorOutcome {
  readonly exitCode: number;
  readonly kind: ErrorKind | 'internal';
}

/**
 * What a failed run prints on stdout when it was asked for `--format json` or `ndjson`: the
 * error as a document, so `sfsync … | jq` reads a result instead of failing on empty input. The
 * format is read from the arguments, as a usage error may come before commander parsed them.
 */
export function errorDocument(
  argv: readonly string[],
  failure: ErrorOutcome & { readonly message: string },
): string | undefined {
  const format = requestedFormat(argv);
  if (format !== 'json' && format !== 'ndjson') return undefined;
  // A report file that could not be written fails the run after its JSON document was printed:
  // a second document would make stdout unreadable. An ndjson stream takes a last line.
  if (format === 'json' && failure.kind === 'output') return undefined;
  const command = argv.find((arg) => /^[a-z]+$/.test(arg)) ?? null;
  const error = { exitCode: failure.exitCode, kind: failure.kind, message: failure.message };
  const head = { tool: 'sfsync', command, formatVersion: FORMAT_VERSION };
  return format === 'json'
    ? `${JSON.stringify({ ...head, error }, null, 2)}\n`
    : `${JSON.stringify({ type: 'error', ...head, error })}\n`;
}

function requestedFormat(argv: readonly string[]): string | undefined {
  let format: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--format') format = argv[i + 1];
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
  }
  return format;
}
