import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE_DIR = `${ROOT}fixtures/editor-api`;
export const FIXTURE_CONFIG = `${FIXTURE_DIR}/sfsync.config.json`;
/**
 * The CLI under test; SFSYNC_CLI points the end-to-end tests at another build (to show a test fails
 * on an older one).
 */
export const CLI = process.env.SFSYNC_CLI ?? `${ROOT}bin/sfsync.js`;
