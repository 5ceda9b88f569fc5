/**
 * Salesforce-shaped record ids: a 3-character key prefix, 12 base-62
 * characters, and the 3-character case-safety suffix Salesforce appends to
 * make an 18-character id that survives case-insensitive systems.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Key prefixes of standard objects; custom objects get an org-specific one. */
const STANDARD_PREFIXES: Readonly<Record<string, string>> = {
  account: '001',
  contact: '003',
  user: '005',
  opportunity: '006',
  lead: '00Q',
  case: '500',
  campaign: '701',
  task: '00T',
  event: '00U',
  product2: '01t',
  pricebook2: '01s',
  contract: '800',
  order: '801',
};

/**
 * The key prefix for an object (lower-case API name): the real one for standard objects, `a0X` for
 * custom ones.
 */
export function keyPrefix(object: string): string {
  const standard = STANDARD_PREFIXES[object.toLowerCase()];
  if (standard) return standard;
  let hash = 0;
  for (const ch of object.toLowerCase()) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `a0${BASE62[10 + (hash % 52)]}`;
}

/** The 18-character id of the `sequence`-th record with this prefix. */
export function salesforceId(prefix: string, sequence: number): string {
  let body = '';
  let n = sequence;
  for (let i = 0; i < 12; i++) {
    body = BASE62[n % 62]! + body;
    n = Math.floor(n / 62);
  }
  const id15 = `${prefix}${body}`;
  return `${id15}${caseSuffix(id15)}`;
}

/** For each 5-character chunk, a bit per upper-case letter, read as an index into A–Z0–5. */
export function caseSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15[chunk * 5 + i]!;
      if (ch >= 'A' && ch <= 'Z') flags |= 1 << i;
    }
    suffix += SUFFIX_CHARS[flags];
  }
  return suffix;
}

/**
 * Salesforce API names as they appear in messages: `editor__c` → `Editor__c`,
 * `contact_editor_affiliation__c` → `Contact_Editor_Affiliation__c`.
 */
export function apiName(column: string): string {
  const custom = column.endsWith('__c');
  const base = custom ? column.slice(0, -3) : column;
  const name = base
    .split('_')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1) : part))
    .join('_');
  return custom ? `${name}__c` : name;
}
