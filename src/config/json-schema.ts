import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema shipped as schema/sfsync.config.schema.json, for editors and CI linters. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://github.com/sfsync/sfsync/schema/sfsync.config.schema.json',
    title: 'sfsync configuration',
  };
}
