/**
 * What a failed write means and what to do about it, per Salesforce status code (and Connect's
 * own "Foreign key external ID … not found"). The policy is what sfsync's repair and an operator
 * act on; the hint says it in one line. Built from the corpus in fixtures/hc-errors (each code's
 * Salesforce documentation page is in its status-codes.json).
 */
/**
 * retry-now: transient, the same write can succeed now; retry-after-parent: the row needs its
 * parent in Salesforce first; data-fix: the row's values must change; config-fix: the mapping,
 * the integration user or the org must change; terminal: no write of this row will ever succeed.
 */
export const ERROR_POLICIES = [
  'retry-now',
  'retry-after-parent',
  'data-fix',
  'config-fix',
  'terminal',
  'unknown',
] as const;
export type ErrorPolicy = (typeof ERROR_POLICIES)[number];

export interface ErrorKind {
  readonly policy: ErrorPolicy;
  readonly hint: string;
  /**
   * A timeout or an internal error: the record may exist in Salesforce although the row has no
   * sfid, so writing the row again could make a second record. Never re-inserted by repair.
   */
  readonly mayHaveCommitted?: true;
}

export const ERROR_TAXONOMY = {
  FOREIGN_KEY_NOT_FOUND: {
    policy: 'retry-after-parent',
    hint:
      'the parent reached Salesforce after this row; once the parent has an sfid, delete the ' +
      'sfid-NULL row and insert it again',
  },
  DUPLICATE_VALUE: {
    policy: 'data-fix',
    hint:
      'Salesforce already holds a record with this value; it is often this very row, ' +
      'committed before Connect lost the reply: check before retrying',
  },
  REQUIRED_FIELD_MISSING: {
    policy: 'data-fix',
    hint:
      'a required Salesforce field is empty: fix the source data or the mapping, then write ' +
      'the row again',
  },
  FIELD_CUSTOM_VALIDATION_EXCEPTION: {
    policy: 'data-fix',
    hint:
      'a Salesforce validation rule rejected the values: fix the data (or the rule), then ' +
      'write the row again',
  },
  INVALID_CROSS_REFERENCE_KEY: {
    policy: 'data-fix',
    hint:
      'a lookup holds an id Salesforce does not know: fix the reference, then write the row ' +
      'again',
  },
  UNABLE_TO_LOCK_ROW: {
    policy: 'retry-now',
    hint: 'Salesforce was busy with a related record: transient, safe to retry now',
  },
  ENTITY_IS_DELETED: {
    policy: 'terminal',
    hint:
      'the Salesforce record was deleted: terminal, decide whether the row should exist at ' +
      'all',
  },
  INSUFFICIENT_ACCESS: {
    policy: 'config-fix',
    hint:
      "Connect's integration user may not write this object or field: grant access in " +
      'Salesforce, then retry',
  },
  STRING_TOO_LONG: {
    policy: 'data-fix',
    hint:
      'a value is longer than the Salesforce field allows: shorten it in the source or widen ' +
      'the field',
  },
  API_CURRENTLY_DISABLED: {
    policy: 'config-fix',
    hint:
      'API access is switched off for the integration user (for example the "API Enabled" ' +
      'permission is missing); grant it in Salesforce setup before replaying',
  },
  API_DISABLED_FOR_ORG: {
    policy: 'config-fix',
    hint:
      'the org or the integration user lacks API access (edition or "API Enabled" ' +
      'permission); fix it in Salesforce setup before replaying',
  },
  API_ERROR: {
    policy: 'data-fix',
    hint:
      'the request body did not match what the API expected; correct the payload (types, ' +
      'field names) before retrying',
  },
  BAD_REQUEST: {
    policy: 'data-fix',
    hint:
      'Salesforce rejected the request as malformed (HTTP 400); correct the request body or ' +
      'parameters before retrying',
  },
  CANNOT_EXECUTE_FLOW_TRIGGER: {
    policy: 'data-fix',
    hint:
      'a record-triggered flow or process failed on this row; read the embedded flow error, ' +
      'then fix the row data or the flow',
  },
  CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: {
    policy: 'data-fix',
    hint:
      'an Apex trigger or automation threw while saving; read the nested cause (often another ' +
      'status code) and fix the data or the trigger',
  },
  CANNOT_UPDATE_CONVERTED_LEAD: {
    policy: 'terminal',
    hint:
      'the target lead has already been converted and can no longer be written; stop retrying ' +
      'and point the row at the converted contact, account or opportunity instead',
  },
  CIRCULAR_DEPENDENCY: {
    policy: 'data-fix',
    hint:
      'the update would create a circular reference (for example a record as its own ' +
      'ancestor); change the lookup value',
  },
  ClientInputError: {
    policy: 'data-fix',
    hint:
      'the Bulk API rejected the batch input itself (for example it is too large); split or ' +
      'fix the batch and resubmit',
  },
  DELETE_FAILED: {
    policy: 'data-fix',
    hint:
      'the delete or merge was blocked (referencing records, triggers); remove the dependency ' +
      'and retry',
  },
  DUPLICATE_EXTERNAL_ID: {
    policy: 'data-fix',
    hint:
      'more than one record (or row in the batch) has this external ID; deduplicate the ' +
      'external ID values',
  },
  DUPLICATES_DETECTED: {
    policy: 'data-fix',
    hint:
      'a duplicate rule blocked the save; merge with the existing record or change the row so ' +
      'it no longer matches the rule',
  },
  ENTITY_IS_LOCKED: {
    policy: 'retry-now',
    hint:
      'the record is locked (for example by an approval process); retry after it is unlocked ' +
      'or ask an admin to unlock it',
  },
  EXCEEDED_ID_LIMIT: {
    policy: 'data-fix',
    hint: 'too many ids or records were sent in one call; send smaller batches',
  },
  FIELD_FILTER_VALIDATION_EXCEPTION: {
    policy: 'data-fix',
    hint:
      'a lookup filter rejected the referenced record; point the lookup at a record that ' +
      'matches the filter',
  },
  FIELD_INTEGRITY_EXCEPTION: {
    policy: 'data-fix',
    hint:
      'a field value is inconsistent with related data or field rules; correct the value ' +
      'named in the message',
  },
  FORBIDDEN: {
    policy: 'config-fix',
    hint:
      'the integration user may not access the requested resource (for example an Apex REST ' +
      'class); grant access in Salesforce',
  },
  FUNCTIONALITY_NOT_ENABLED: {
    policy: 'config-fix',
    hint:
      'the feature the request relies on is not enabled or not supported for this API; enable ' +
      'it in the org or use another API',
  },
  INACTIVE_OWNER_OR_USER: {
    policy: 'config-fix',
    hint:
      'the owner or a referenced user is inactive; reassign the owner to an active user or ' +
      'grant "Update Records with Inactive Owners"',
  },
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: {
    policy: 'config-fix',
    hint:
      'the integration user cannot see or edit a referenced record (sharing); grant sharing ' +
      'access or change the reference',
  },
  INSUFFICIENT_ACCESS_OR_READONLY: {
    policy: 'config-fix',
    hint:
      'the integration user cannot edit this record (sharing, read-only field or locked ' +
      'record); grant edit access',
  },
  INVALID_AUTH_HEADER: {
    policy: 'config-fix',
    hint:
      'the Authorization header was missing or malformed; fix the credentials the integration ' +
      'sends',
  },
  INVALID_EMAIL_ADDRESS: {
    policy: 'data-fix',
    hint: 'an email field holds an invalid address; correct or blank the value',
  },
  INVALID_EMPTY_KEY_OWNER: {
    policy: 'data-fix',
    hint: 'a required owner or key field is empty; set a valid owner or key value',
  },
  INVALID_FIELD: {
    policy: 'config-fix',
    hint:
      'for "Foreign key external ID ... not found" the parent with that external ID is not in ' +
      'Salesforce yet, so sync it first; for "No such column" fix the mapping instead',
  },
  INVALID_FIELD_FOR_INSERT_UPDATE: {
    policy: 'config-fix',
    hint:
      'the payload writes a field that cannot be written on this operation (for example Id or ' +
      'a read-only field); remove it from the mapping',
  },
  invalid_grant: {
    policy: 'config-fix',
    hint:
      'the OAuth token endpoint refused the grant (wrong password, expired or revoked refresh ' +
      'token, inactive user); re-authorize the connection, then replay',
  },
  INVALID_ID_FIELD: {
    policy: 'data-fix',
    hint: 'the id value is not valid for this object type; correct the id',
  },
  INVALID_INPUT: {
    policy: 'data-fix',
    hint:
      'the request itself is not acceptable to Salesforce (for example an unsupported query ' +
      'construct); change the request before retrying',
  },
  INVALID_LOGIN: {
    policy: 'config-fix',
    hint:
      "Salesforce rejected the integration user's credentials (bad username, password or " +
      'security token, or a locked user); fix or re-authorize the credentials before ' +
      'replaying',
  },
  INVALID_OPERATION: {
    policy: 'config-fix',
    hint:
      'the operation is not allowed on this object in this context; change the operation or ' +
      'the org configuration',
  },
  INVALID_OPERATION_WITH_EXPIRED_PASSWORD: {
    policy: 'config-fix',
    hint:
      "the integration user's password has expired; reset it or set a non-expiring password " +
      'policy',
  },
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: {
    policy: 'data-fix',
    hint:
      'the value is not in the restricted picklist (for this record type); map it to an ' +
      'allowed value or add the value in Salesforce',
  },
  INVALID_SESSION_ID: {
    policy: 'retry-now',
    hint:
      'the session expired or is invalid; refresh the credentials (Connect re-authenticates) ' +
      'and retry',
  },
  INVALID_TYPE: {
    policy: 'config-fix',
    hint:
      'the object or metadata type named in the request does not exist or is not available to ' +
      'this org or API version; fix the mapping, API version or org features',
  },
  INVALID_TYPE_ON_FIELD_IN_RECORD: {
    policy: 'data-fix',
    hint:
      'a value has the wrong type for its field (for example text in a number field); convert ' +
      'or correct the value',
  },
  InvalidBatch: {
    policy: 'data-fix',
    hint:
      'the Bulk API batch content is invalid (for example an unknown column header); fix the ' +
      'batch content or mapping',
  },
  INVALIDENTITY: {
    policy: 'config-fix',
    hint:
      'the Bulk API does not support this object; sync it through the REST/SOAP API or drop ' +
      'it from the bulk job',
  },
  INVALIDJOB: {
    policy: 'config-fix',
    hint:
      'the Bulk API job definition is invalid (for example the external ID field is not an ' +
      'external ID); fix the job or mapping configuration',
  },
  InvalidJob: {
    policy: 'config-fix',
    hint:
      'same as INVALIDJOB, in the casing the Java Bulk API client (AsyncApiException) prints; ' +
      'fix the job definition (for example a non-external-ID upsert field)',
  },
  JSON_PARSER_ERROR: {
    policy: 'data-fix',
    hint:
      'the JSON body could not be parsed or a value has the wrong format (date, number, ' +
      "multipicklist); fix the value's format",
  },
  LIMIT_EXCEEDED: {
    policy: 'retry-now',
    hint: 'an org or operation limit was hit; retry later or reduce the volume',
  },
  MALFORMED_ID: {
    policy: 'data-fix',
    hint: 'an id field holds a value that is not a valid Salesforce id; correct the id',
  },
  MALFORMED_QUERY: {
    policy: 'config-fix',
    hint: 'the SOQL query is invalid or needs a filter; fix the query or mapping',
  },
  MERGE_FAILED: {
    policy: 'data-fix',
    hint:
      'the merge was rejected (for example the master is not portal-enabled); change the ' +
      'merge order or the records',
  },
  MISSING_ARGUMENT: {
    policy: 'data-fix',
    hint: 'a required argument such as the record Id was not sent; include it',
  },
  MIXED_DML_OPERATION: {
    policy: 'config-fix',
    hint:
      'setup and non-setup objects were changed in one transaction (usually by a trigger); ' +
      'move one of the DMLs to async code',
  },
  NO_APPLICABLE_PROCESS: {
    policy: 'config-fix',
    hint:
      'no approval process applies to this record; adjust the approval process criteria or ' +
      'stop submitting',
  },
  NOT_FOUND: {
    policy: 'config-fix',
    hint:
      'the requested resource or external ID field does not exist or is not accessible; fix ' +
      'the mapping or field-level security',
  },
  NUMBER_OUTSIDE_VALID_RANGE: {
    policy: 'data-fix',
    hint: "a number exceeds the field's precision or range; correct the value or widen the field",
  },
  OAUTH_APP_BLOCKED: {
    policy: 'config-fix',
    hint:
      'the connected app is blocked in the org (Connected Apps OAuth Usage); an admin must ' +
      'unblock it before any write can succeed',
  },
  OPERATION_TOO_LARGE: {
    policy: 'data-fix',
    hint:
      'the operation touches too many records for one call (for example too many distinct ' +
      'who/what ids); split it into smaller operations',
  },
  PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT: {
    policy: 'terminal',
    hint:
      'the contact already has a portal user, so creating another one will never succeed; ' +
      'reuse the existing user',
  },
  QUERY_TIMEOUT: {
    policy: 'retry-now',
    hint:
      'the query ran too long (often slow triggers or unselective filters); retry later with ' +
      'backoff, and simplify the query if it keeps timing out',
    mayHaveCommitted: true,
  },
  QUERY_TOO_COMPLICATED: {
    policy: 'config-fix',
    hint:
      'the query selects too many fields or its filters are too complex; simplify the query ' +
      'or mapping',
  },
  REQUEST_LIMIT_EXCEEDED: {
    policy: 'retry-now',
    hint:
      "the org's API request limit was reached; wait for the rolling 24-hour window or raise " +
      'the limit, then retry',
  },
  SERVER_UNAVAILABLE: {
    policy: 'retry-now',
    hint:
      'Salesforce is temporarily unavailable (maintenance or overload); retry the same write ' +
      'later',
  },
  STORAGE_LIMIT_EXCEEDED: {
    policy: 'config-fix',
    hint: 'the org has run out of data or file storage; free storage or buy more, then retry',
  },
  TOO_MANY_ENUM_VALUE: {
    policy: 'data-fix',
    hint:
      'too many values were chosen in a multi-select picklist; reduce the number of ' +
      'selections',
  },
  TRANSFER_REQUIRES_READ: {
    policy: 'config-fix',
    hint:
      'the new owner cannot read the record; give the new owner read access or choose another ' +
      'owner',
  },
  TXN_SECURITY_NO_ACCESS: {
    policy: 'config-fix',
    hint:
      'a Transaction Security policy blocked the operation; ask the admin to adjust the ' +
      'policy for the integration user before replaying',
  },
  UNKNOWN_EXCEPTION: {
    policy: 'retry-now',
    hint:
      'Salesforce had an internal error; retry later, and if it persists send the ErrorId to ' +
      'Salesforce support',
    mayHaveCommitted: true,
  },
  UNSUPPORTED_CLIENT: {
    policy: 'config-fix',
    hint:
      'the client connects with a protocol the org no longer accepts (for example TLS 1.0); ' +
      'upgrade the client TLS stack before retrying',
  },
  UNKNOWN: {
    policy: 'unknown',
    hint: 'unrecognised error: read the full text and the trigger log entry',
  },
} as const satisfies Record<string, ErrorKind>;

export type HcErrorCode = keyof typeof ERROR_TAXONOMY;

export const HC_ERROR_CODES = Object.keys(ERROR_TAXONOMY) as readonly HcErrorCode[];

export function isHcErrorCode(code: string): code is HcErrorCode {
  return Object.hasOwn(ERROR_TAXONOMY, code);
}
