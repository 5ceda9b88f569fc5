import type { SchemaCatalog } from '../core/schema/catalog.js';
import type { DatabaseStatus, DoctorReport } from '../core/schema/doctor-report.js';
import { keyColumns } from '../core/entities/entity.js';
import {
  diagnoseMirror,
  diagnoseSource,
  diagnoseTodos,
  type Finding,
} from '../core/schema/diagnose.js';
import type { ResolvedTarget, RunConfig, WritableEntity } from '../config/types.js';
import { DatabaseError } from '../errors.js';
import { checkSourceSql } from '../db/audit/check-source-sql.js';
import { sourceTableOf } from '../db/entity-tables.js';
import { connect, type Connection, type SessionTimeouts } from '../db/driver/connect.js';
import { readCatalog } from '../db/catalog/read-catalog.js';
import { appendAll } from '../core/arrays.js';

/** Checks both databases against the config and reports every problem at once. */
export async function runDoctor(
  config: RunConfig,
  options: { timeouts?: SessionTimeouts | undefined; allowTodo?: boolean | undefined } = {},
): Promise<DoctorReport> {
  const [source, mirror] = await Promise.all([
    inspect(config.source, config, options.timeouts),
    inspect(config.mirror, config, options.timeouts),
  ]);
  const findings: Finding[] = [...source.findings, ...mirror.findings];
  if (source.catalog)
    appendAll(
      appendAll(findings, diagnoseSource(config.entities, source.catalog)),
      source.sqlFindings,
    );
  if (mirror.catalog) appendAll(findings, diagnoseMirror(config.entities, mirror.catalog));
  appendAll(findings, diagnoseTodos(config.todos));
  const todosAllowed = Boolean(options.allowTodo);
  return {
    ok:
      !findings.some((finding) => finding.level === 'error') &&
      (config.todos.length === 0 || todosAllowed),
    todos: config.todos.length,
    todosAllowed,
    databases: { source: source.status, mirror: mirror.status },
    findings,
  };
}

interface Inspection {
  status: DatabaseStatus;
  catalog: SchemaCatalog | undefined;
  findings: Finding[];
  sqlFindings: Finding[];
}

async function inspect(
  target: ResolvedTarget,
  config: RunConfig,
  timeouts: SessionTimeouts | undefined,
): Promise<Inspection> {
  const base = { role: target.role, schema: target.schema };
  let connection: Connection;
  try {
    connection = await connect(target, { maxConnections: 1, purpose: 'doctor', timeouts });
  } catch (error) {
    if (!(error instanceof DatabaseError)) throw error;
    return {
      status: {
        ...base,
        label: undefined,
        reachable: false,
        serverVersion: undefined,
        tls: undefined,
      },
      catalog: undefined,
      findings: [
        {
          level: 'error',
          code: 'unreachable',
          database: target.role,
          entity: undefined,
          message: error.message,
        },
      ],
      sqlFindings: [],
    };
  }
  try {
    const catalog = await readCatalog(connection.db, target.schema);
    const sqlFindings = target.role === 'source' ? await checkSql(connection, catalog, config) : [];
    return {
      status: {
        ...base,
        label: connection.label,
        reachable: true,
        serverVersion: catalog.serverVersion,
        tls: catalog.tls,
      },
      catalog,
      findings: [],
      sqlFindings,
    };
  } finally {
    await connection.close();
  }
}

/**
 * Only entities whose table exists are planned; a missing table is already reported by diagnose.
 */
async function checkSql(
  connection: Connection,
  catalog: SchemaCatalog,
  config: RunConfig,
): Promise<Finding[]> {
  if (!catalog.schemaExists) return [];
  const entities = config.entities.filter(
    (e): e is WritableEntity => !e.readOnly && hasReferencedColumns(e, catalog),
  );
  const failures = await checkSourceSql(
    connection.db,
    entities.map((e) => sourceTableOf(connection.schema, e)),
  );
  const sourceQuery = 'the source query (source.where, a { "sql": … } key or field)';
  return [...failures].map(([entity, message]) => ({
    level: 'error' as const,
    code: 'source_sql_invalid',
    database: 'source' as const,
    entity,
    message: `${sourceQuery} does not compile: ${message}`,
  }));
}

function hasReferencedColumns(entity: WritableEntity, catalog: SchemaCatalog): boolean {
  const table = catalog.tables.get(entity.source.table);
  if (!table) return false;
  const columns = [
    ...keyColumns(entity.source.key),
    ...entity.parents.map((parent) => parent.column),
    ...entity.fields.flatMap((field) =>
      field.source.kind === 'column' ? [field.source.column] : [],
    ),
  ];
  return columns.every((column) => table.columns.has(column));
}
