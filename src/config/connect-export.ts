import { z } from 'zod';
import type { ExportedMapping } from '../core/schema/infer-config.js';
import { UsageError } from '../errors.js';
import { MAX_INPUT_BYTES, readUserFile, UnreadableFileError } from './user-file.js';

/**
 * The part of a Heroku Connect mapping export (`heroku connect:export`) that
 * init uses. Exports carry more (connection details, poll settings) and their
 * key order varies; unknown keys are ignored.
 */
const exportSchema = z.looseObject({
  mappings: z.array(
    z.looseObject({
      object_name: z.string().min(1),
      config: z.looseObject({
        access: z.enum(['read_only', 'read_write']).optional(),
        fields: z.record(z.string(), z.unknown()).optional(),
        indexes: z.record(z.string(), z.looseObject({ unique: z.boolean().optional() })).optional(),
        upsert_field: z.string().nullish(),
      }),
    }),
  ),
});

export async function readConnectExport(file: string): Promise<ExportedMapping[]> {
  let text: string;
  try {
    text = readUserFile(file, MAX_INPUT_BYTES);
  } catch (error) {
    const reason =
      error instanceof UnreadableFileError
        ? error.message
        : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    throw new UsageError(`cannot read the Connect export ${file}: ${reason}`);
  }
  return parseConnectExport(text, file);
}

export function parseConnectExport(text: string, file: string): ExportedMapping[] {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = exportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(top level)';
    throw new UsageError(
      `${file} is not a Heroku Connect mapping export: ${where}: ${issue.message}`,
    );
  }
  return parsed.data.mappings.map((mapping) => {
    const unique = Object.entries(mapping.config.indexes ?? {})
      .filter(([, index]) => index.unique)
      .map(([field]) => field.toLowerCase())
      .filter((field) => field !== 'id');
    const upsert = mapping.config.upsert_field?.toLowerCase();
    return {
      table: mapping.object_name.toLowerCase(),
      readOnly: mapping.config.access === 'read_only',
      fields: new Set(Object.keys(mapping.config.fields ?? {}).map((f) => f.toLowerCase())),
      externalId: upsert ?? (unique.length === 1 ? unique[0] : undefined),
    };
  });
}
