import { readFileSync } from 'node:fs';
import { FIXTURE_CONFIG } from './paths.js';

/** The fixture config as an object to mutate in a test. */
export function fixtureConfigObject(): Record<string, any> {
  return JSON.parse(readFileSync(FIXTURE_CONFIG, 'utf8')) as Record<string, any>;
}

/** A small valid config: a parent, a read-only entity and a child of both. */
export function smallConfig(): Record<string, any> {
  return {
    source: { url: 'env:DATABASE_URL' },
    mirror: { url: 'env:SALESFORCE_CONNECT_DB' },
    entities: [
      {
        name: 'school',
        source: { table: 'schools', key: 'id' },
        mirror: { table: 'editor__c', externalId: 'editoruuid__c' },
        fields: { name: 'name', country__c: { sql: 'upper(src.country_code)' } },
      },
      {
        name: 'contact',
        readOnly: true,
        mirror: { table: 'contact', externalId: 'pi_accounts_unique_id__c' },
      },
      {
        name: 'role',
        source: { table: 'roles', key: 'id' },
        mirror: { table: 'contact_editor_affiliation__c', externalId: 'affiliation_id__c' },
        parents: [
          { entity: 'school', column: 'school_id', lookup: 'editor__r__editoruuid__c' },
          {
            entity: 'contact',
            column: 'user_id',
            lookup: 'contact__r__pi_accounts_unique_id__c',
            optional: true,
          },
        ],
      },
    ],
  };
}
