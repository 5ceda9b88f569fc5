import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE_DIR = `${ROOT}fixtures/editor-api`;
export const FIXTURE_CONFIG = `${FIXTURE_DIR}/sfsync.config.json`;
export const CLI = `${ROOT}bin/sfsync.js`;
