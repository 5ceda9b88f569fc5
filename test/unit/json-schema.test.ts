import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { ROOT } from '../support/paths.js';

describe('schema/sfsync.config.schema.json', () => {
  it('is what the zod schema generates (run `npm run schema` after changing it)', () => {
    const shipped = JSON.parse(readFileSync(`${ROOT}schema/sfsync.config.schema.json`, 'utf8'));
    expect(shipped).toEqual(configJsonSchema());
  });
});
