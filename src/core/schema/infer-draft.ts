/** One mirror table on its way to becoming an entity of the inferred config. */
export interface Draft {
  readonly name: string;
  readonly table: string;
  readonly externalId: string;
  readOnly: boolean;
  sourceTable: string | undefined;
  key: string | undefined;
  fields: Record<string, string>;
  parents: { entity: string; column: string; lookup: string; optional?: true }[];
  /** Mirror columns that are lookups (linked or noted): never mapped as fields. */
  lookups: Set<string>;
  todo: string[];
}

/** `<relationship>__r__<parent external id>`: Connect's external-ID lookup column. */
export const LOOKUP = /^([a-z0-9_]+?)__r__([a-z0-9_]+)$/;

/** Salesforce-style name comparison: case, a `__c` suffix and underscores do not count. */
export function normalise(name: string): string {
  return name
    .toLowerCase()
    .replace(/__c$/, '')
    .replace(/[^a-z0-9]/g, '');
}
