// Regenerates schema/sfsync.config.schema.json from the zod schema (run: npm run schema).
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/config/json-schema.js';

writeFileSync(
  new URL('../schema/sfsync.config.schema.json', import.meta.url),
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
);
