import { createRequire } from 'node:module';

/** sfsync's own version, from its package.json, for --version and the reports. */
export const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;
