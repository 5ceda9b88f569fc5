import type { ColumnInfo } from './catalog.js';

/**
 * The Salesforce-Id reference fields of the standard objects Connect mappings most often hold,
 * and the object each points at (`*` where it may point at several, like a task's WhatId), from
 * Salesforce's Object Reference (developer.salesforce.com/docs/atlas.en-us.object_reference.meta,
 * one page per object). Lower-cased, as the mirror names them. Such a column holds an 18-character
 * Salesforce id that Connect fills from the record, never an app's key.
 */
const STANDARD_REFERENCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  account: {
    parentid: 'account',
    masterrecordid: 'account',
    operatinghoursid: 'operatinghours',
    dandbcompanyid: 'dandbcompany',
  },
  contact: {
    accountid: 'account',
    reportstoid: 'contact',
    masterrecordid: 'contact',
    individualid: 'individual',
  },
  lead: {
    convertedaccountid: 'account',
    convertedcontactid: 'contact',
    convertedopportunityid: 'opportunity',
    masterrecordid: 'lead',
    individualid: 'individual',
  },
  opportunity: {
    accountid: 'account',
    campaignid: 'campaign',
    contactid: 'contact',
    pricebook2id: 'pricebook2',
  },
  opportunitylineitem: {
    opportunityid: 'opportunity',
    product2id: 'product2',
    pricebookentryid: 'pricebookentry',
  },
  opportunitycontactrole: { opportunityid: 'opportunity', contactid: 'contact' },
  case: {
    accountid: 'account',
    contactid: 'contact',
    parentid: 'case',
    assetid: 'asset',
    masterrecordid: 'case',
    productid: 'product2',
  },
  asset: {
    accountid: 'account',
    contactid: 'contact',
    parentid: 'asset',
    rootassetid: 'asset',
    product2id: 'product2',
  },
  contract: {
    accountid: 'account',
    pricebook2id: 'pricebook2',
    customersignedid: 'contact',
    companysignedid: 'user',
  },
  order: {
    accountid: 'account',
    contractid: 'contract',
    pricebook2id: 'pricebook2',
    originalorderid: 'order',
    billtocontactid: 'contact',
    shiptocontactid: 'contact',
  },
  orderitem: {
    orderid: 'order',
    product2id: 'product2',
    pricebookentryid: 'pricebookentry',
    originalorderitemid: 'orderitem',
  },
  campaign: { parentid: 'campaign' },
  campaignmember: { campaignid: 'campaign', contactid: 'contact', leadid: 'lead' },
  task: { whoid: '*', whatid: '*', accountid: 'account' },
  event: { whoid: '*', whatid: '*', accountid: 'account' },
  user: {
    managerid: 'user',
    contactid: 'contact',
    accountid: 'account',
    profileid: 'profile',
    userroleid: 'userrole',
    delegatedapproverid: 'user',
  },
};

/** On every object: who owns and who touched the record, and its record type. */
const COMMON_REFERENCES: Readonly<Record<string, string>> = {
  ownerid: '*',
  createdbyid: 'user',
  lastmodifiedbyid: 'user',
  recordtypeid: 'recordtype',
};

/**
 * The object a Salesforce-Id reference column points at (`*`: several), or undefined when the
 * column is not one: a known reference of a standard object, or any `…id` or custom `…__c`
 * column Connect created as varchar(18), the length of a Salesforce id (a custom lookup such as
 * a loan's Account__c).
 */
export function referencedObject(
  table: string,
  column: string,
  info: ColumnInfo | undefined,
): string | undefined {
  const known = STANDARD_REFERENCES[table]?.[column] ?? COMMON_REFERENCES[column];
  if (known) return known;
  const idSized = info?.maxLength === 18 && /char/.test(info.type);
  const named = /^[a-z0-9_]+(?:id|__c)$/.test(column) && column !== 'sfid';
  return idSized && named ? '*' : undefined;
}

/**
 * The object a relationship of `table` points at, by Salesforce's naming: `parent` on an account
 * is an account, `reportsto` on a contact a contact; undefined when unknown.
 */
export function relationshipObject(table: string, relationship: string): string | undefined {
  const object = STANDARD_REFERENCES[table]?.[`${relationship}id`];
  return object === '*' ? undefined : object;
}
