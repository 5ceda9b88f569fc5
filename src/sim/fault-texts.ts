import type { HcErrorCode } from '../core/connect/error-taxonomy.js';

/**
 * The failures `sfsync sim --fail-codes` can inject, each with the text Connect stores for it:
 * Salesforce's message without a status code, as `_hc_err` and `sf_message` hold it. Each text is
 * a real one, from the line of fixtures/hc-errors/corpus.jsonl named beside it, so the audit
 * meets in tests and the demo what it meets in production. One or more per policy class.
 */
export const SIM_FAULT_TEXTS = {
  // retry-now
  UNABLE_TO_LOCK_ROW: 'unable to obtain exclusive access to this record', // line 127
  REQUEST_LIMIT_EXCEEDED: 'TotalRequests Limit exceeded.', // line 191
  SERVER_UNAVAILABLE: 'server too busy', // line 267
  // retry-now, but the write may have reached Salesforce
  QUERY_TIMEOUT: 'Your query request was running too long', // line 263
  // data-fix
  REQUIRED_FIELD_MISSING: 'Required fields are missing: [Name]', // line 108
  STRING_TOO_LONG:
    'Billing City: data value too large: ' +
    'Giugliano in Campania, Metropolitan City of Naples (max length=40)', // line 114
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:
    'Recurring Type: bad value for restricted picklist field: Fixed', // line 314
  // line 193
  FIELD_FILTER_VALIDATION_EXCEPTION: 'Value does not exist or does not match filter criteria.',
  // Salesforce masked the field and the record the integration user may not see (the end of
  // line 152).
  DUPLICATE_VALUE: 'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
  // config-fix
  INACTIVE_OWNER_OR_USER: 'owner is inactive, cannot reparent record', // line 136
  INVALID_FIELD_FOR_INSERT_UPDATE:
    'Unable to create/update fields: Name. Please check the security settings of this field ' +
    'and verify that it is read/write for your profile or permission set.', // line 177
  INSUFFICIENT_ACCESS_OR_READONLY: 'insufficient access rights on object id', // line 253
  // terminal
  ENTITY_IS_DELETED: 'entity is deleted', // line 29
} as const satisfies Partial<Record<HcErrorCode, string>>;

export type SimFaultCode = keyof typeof SIM_FAULT_TEXTS;
export const SIM_FAULT_CODES = Object.keys(SIM_FAULT_TEXTS) as SimFaultCode[];

/**
 * A validation rule's failure, for the data-fix fault ({@link SIM_FAULT_TEXTS} holds the other
 * data-fix texts it uses). A rule's own message names no code (line 39 parses to UNKNOWN), so
 * this is a text with Salesforce's code in front, as a SOAP fault gives it (line 41, cut where its
 * reporter's paste is). It stays out of SIM_FAULT_TEXTS: `--fail-codes all` would otherwise draw
 * from 14 codes and replay old seeds differently, and those texts carry no status code.
 */
export const SIM_VALIDATION_TEXT =
  'FIELD_CUSTOM_VALIDATION_EXCEPTION: Please make sure the following fields are fill';
