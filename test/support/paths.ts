import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE_DIR = `${ROOT}fixtures/editor-api`;
export const FIXTURE_CONFIG = `${FIXTURE_DIR}/sfsync.config.json`;
/** Connect's own tables, functions and triggers: loaded before a fixture's mirror.sql. */
export const CONNECT_RUNTIME_SQL = `${ROOT}fixtures/connect/runtime.sql`;
/**
 * The CLI under test; SFSYNC_CLI points the end-to-end tests at another build (to show a test fails
 * on an older one).
 */
export const CLI = process.env.SFSYNC_CLI ?? `${ROOT}bin/sfsync.js`;
