import { loadConfig, parseConfig } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/resolve-url.js';
import type { RunConfig } from '../../src/config/types.js';
import type { RepairOptions } from '../../src/ops/repair/repair.js';
import { FIXTURE_CONFIG } from './paths.js';

interface Urls {
  readonly sourceUrl: string;
  readonly mirrorUrl: string;
}

/**
 * The editor-api fixture config, pointed at these databases, as a command that connects gets it.
 */
export function fixtureConfig(urls: Urls): RunConfig {
  return resolveConfig(
    loadConfig({
      configPath: FIXTURE_CONFIG,
      sourceUrl: urls.sourceUrl,
      mirrorUrl: urls.mirrorUrl,
    }),
    {},
  );
}

/** A config written in the test, pointed at these databases. */
export function configFrom(raw: object, urls: Urls): RunConfig {
  return resolveConfig(
    parseConfig(JSON.stringify(raw), 'cfg.json', {
      sourceUrl: urls.sourceUrl,
      mirrorUrl: urls.mirrorUrl,
    }),
    {},
  );
}

/** `sfsync repair --yes` as a library call, with these overrides (batch size, concurrency…). */
export function repairOptions(overrides: Partial<RepairOptions> = {}): RepairOptions {
  return {
    command: 'repair',
    dryRun: false,
    strategy: 'reinsert',
    batchSize: 500,
    concurrency: 2,
    staleMs: 30 * 60_000,
    commandLine: 'sfsync repair --yes',
    ...overrides,
  };
}

/** A config of one writable entity (no parents), pointed at these databases. */
export function oneEntityConfig(
  entity: object,
  urls: Urls,
  databases: { source?: object; mirror?: object } = {},
): RunConfig {
  return configFrom(
    { source: databases.source ?? {}, mirror: databases.mirror ?? {}, entities: [entity] },
    urls,
  );
}

/** One writable entity, schools → editor__c by id, its name mapped: repair's simplest world. */
export function schoolConfig(urls: Urls, repair?: object): RunConfig {
  return configFrom(
    {
      source: {},
      mirror: {},
      ...(repair ? { repair } : {}),
      entities: [
        {
          name: 'school',
          source: { table: 'schools', key: 'id' },
          mirror: { table: 'editor__c', externalId: 'editoruuid__c' },
          fields: { name: 'name' },
        },
      ],
    },
    urls,
  );
}
