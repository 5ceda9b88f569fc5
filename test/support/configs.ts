import { loadConfig, parseConfig } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/resolve-url.js';
import type { RunConfig } from '../../src/config/types.js';
import { FIXTURE_CONFIG } from './paths.js';

interface Urls {
  readonly sourceUrl: string;
  readonly mirrorUrl: string;
}

/** The editor-api fixture config, pointed at these databases, as a command that connects gets it. */
export function fixtureConfig(urls: Urls): RunConfig {
  return resolveConfig(loadConfig({ configPath: FIXTURE_CONFIG, sourceUrl: urls.sourceUrl, mirrorUrl: urls.mirrorUrl }), {});
}

/** A config written in the test, pointed at these databases. */
export function configFrom(raw: object, urls: Urls): RunConfig {
  return resolveConfig(parseConfig(JSON.stringify(raw), 'cfg.json', { sourceUrl: urls.sourceUrl, mirrorUrl: urls.mirrorUrl }), {});
}
