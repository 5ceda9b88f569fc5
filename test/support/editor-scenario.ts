import { connectActor } from './connect-actor.js';
import type { FixtureDatabases } from './databases.js';

/** A readable, valid UUID for fixture keys: u(7) → 00000000-0000-4000-8000-000000000007. */
export const u = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const FK_SCHOOL = (key: string) =>
  `Foreign key external ID: ${key} not found for field EditorUUID__c in entity Editor__c`;
export const FK_CONTACT = (key: string) =>
  `Foreign key external ID: ${key} not found for field Pi_Accounts_Unique_ID__c in entity Contact`;

interface School {
  key: string;
  name: string;
  country?: string;
  verified?: boolean;
  rejected?: boolean;
  archived?: string | null;
  website?: string | null;
}

/**
 * Every audit class, produced the way it happens in production: the app writes
 * source rows and mirror rows (client session, captured by Connect's triggers),
 * then Connect (a hex session) syncs or fails them. See the test for the
 * expected class of each key.
 */
export async function buildAuditScenario(db: FixtureDatabases): Promise<void> {
  const connect = connectActor(db);
  const longName =
    'The Very Long Named Academy of Computing, Digital Making and Creative Technology ' +
    'x'.repeat(20);

  // Upstream contacts arrive from Salesforce; u(109) never does.
  for (const key of [u(101), u(102)])
    await connect.fromSalesforce('contact', { pi_accounts_unique_id__c: key, lastname: 'Teacher' });

  const schools: School[] = [
    { key: u(1), name: 'Hill School' },
    { key: u(2), name: 'Never Written School' },
    { key: u(3), name: 'Drifted School', verified: true, archived: '2024-03-01T10:00:00Z' },
    { key: u(4), name: 'Rejected School', rejected: true },
    { key: u(5), name: longName, website: null },
    { key: u(6), name: 'Young Pending School' },
    { key: u(7), name: 'Stuck School' },
    { key: u(8), name: 'Invalid School' },
  ];
  for (const s of schools) {
    await db.source(
      `INSERT INTO schools (id, name, website, municipality, country_code, verified_at, rejected_at,
                            archived_at)
       VALUES ($1, $2, $3, 'Cambridge', $4, $5, $6, $7)`,
      [
        s.key,
        s.name,
        s.website === undefined ? 'https://example.org' : s.website,
        s.country ?? 'gb',
        s.verified ? '2024-01-01T00:00:00Z' : null,
        s.rejected ? '2024-02-01T00:00:00Z' : null,
        s.archived ?? null,
      ],
    );
  }
  const writeSchool = (key: string, overrides: Record<string, unknown> = {}) => {
    const s = schools.find((x) => x.key === key)!;
    const values: Record<string, unknown> = {
      editoruuid__c: key,
      name: s.name,
      website__c: s.website === undefined ? 'https://example.org' : '',
      town__c: 'Cambridge',
      country__c: 'GB',
      editortype__c: 'for_education',
      verified__c: Boolean(s.verified),
      discardedat__c: s.archived ? new Date(s.archived) : null,
      status__c: 'New',
      ...overrides,
    };
    const columns = Object.keys(values);
    const params = columns.map((_, i) => `$${i + 1}`).join(', ');
    return db.mirror(
      `INSERT INTO salesforce.editor__c (${columns.join(', ')}) VALUES (${params})`,
      Object.values(values),
    );
  };
  await writeSchool(u(1));
  await connect.inserted('editor__c', 'editoruuid__c', u(1));
  await writeSchool(u(3), {
    name: 'Old Name',
    country__c: 'FR',
    verified__c: false,
    discardedat__c: new Date('2024-03-01T09:00:00Z'),
  });
  await connect.inserted('editor__c', 'editoruuid__c', u(3));
  await writeSchool(u(4));
  await connect.inserted('editor__c', 'editoruuid__c', u(4));
  await writeSchool(u(5), { name: `${longName.slice(0, 79)}…` });
  await connect.inserted('editor__c', 'editoruuid__c', u(5));
  await writeSchool(u(6));
  await connect.writtenAgo('editor__c', 'editoruuid__c', u(6), '10 minutes');
  await writeSchool(u(7));
  await connect.writtenAgo('editor__c', 'editoruuid__c', u(7), '2 hours');
  await writeSchool(u(8));
  await connect.failed(
    'editor__c',
    'editoruuid__c',
    u(8),
    'FIELD_CUSTOM_VALIDATION_EXCEPTION, Town must be a real town: [Town__c]',
  );

  // Roles: children written by independent jobs, some before their parents.
  const roles: [number, string, string, number][] = [
    [1, u(1), u(101), 1],
    [2, u(7), u(101), 1],
    [3, u(1), u(109), 2],
    [4, u(1), u(102), 0],
    [5, u(1), u(102), 1],
    [6, u(2), u(102), 1],
    [7, u(1), u(102), 2],
    [8, u(8), u(101), 1],
  ];
  for (const [id, school, user, role] of roles) {
    await db.source(
      `INSERT INTO roles (id, school_id, user_id, role, created_at, updated_at)
        VALUES ($1, $2, $3, $4, '2024-04-01T08:00:00Z', '2024-04-02T08:00:00Z')`,
      [id, school, user, role],
    );
  }
  const writeRole = (id: number, overrides: Record<string, unknown> = {}) => {
    const [, school, user, role] = roles.find((r) => r[0] === id)!;
    const values: Record<string, unknown> = {
      affiliation_id__c: String(id),
      editor__r__editoruuid__c: school,
      contact__r__pi_accounts_unique_id__c: user,
      roletype__c: role === 2 ? 'owner' : 'teacher',
      createdat__c: new Date('2024-04-01T08:00:00Z'),
      updatedat__c: new Date('2024-04-02T08:00:00Z'),
      ...overrides,
    };
    const columns = Object.keys(values);
    const params = columns.map((_, i) => `$${i + 1}`).join(', ');
    return db.mirror(
      `INSERT INTO salesforce.contact_editor_affiliation__c (${columns.join(', ')})
        VALUES (${params})`,
      Object.values(values),
    );
  };
  const table = 'contact_editor_affiliation__c';
  await writeRole(1);
  await connect.failed(table, 'affiliation_id__c', '1', FK_SCHOOL(u(1)));
  await writeRole(2);
  await connect.failed(table, 'affiliation_id__c', '2', FK_SCHOOL(u(7)));
  await writeRole(3);
  await connect.failed(
    table,
    'affiliation_id__c',
    '3',
    JSON.stringify({ message: FK_CONTACT(u(109)), errorCode: 'INVALID_FIELD' }),
  );
  await writeRole(7, { createdat__c: new Date('2024-04-01T09:00:00Z') });
  await connect.inserted(table, 'affiliation_id__c', '7');

  // Classes: this mapping lost its unique index, so one key has twin rows.
  await db.mirror('DROP INDEX salesforce.hcu_idx_classroom__c_classroomuuid__c');
  const classes: [string, number][] = [
    [u(201), 3],
    [u(202), 0],
    [u(203), 0],
  ];
  for (const [key, students] of classes) {
    await db.source(
      `INSERT INTO school_classes (id, school_id, name, created_at, updated_at)
        VALUES ($1, $2, 'Year 7', '2024-05-01T00:00:00Z', '2024-05-01T00:00:00Z')`,
      [key, u(1)],
    );
    for (let i = 0; i < students; i++) {
      await db.source(
        `INSERT INTO class_students (id, school_class_id, student_id)
          VALUES (gen_random_uuid(), $1, gen_random_uuid())`,
        [key],
      );
    }
  }
  const writeClass = (key: string, members: number) =>
    db.mirror(
      `INSERT INTO salesforce.classroom__c (classroomuuid__c, editor__r__editoruuid__c,
         classroomtitle__c, numberofmembers__c, createdat__c, updatedat__c)
       VALUES ($1, $2, 'Year 7', $3, '2024-05-01 00:00:00', '2024-05-01 00:00:00')`,
      [key, u(1), members],
    );
  await writeClass(u(201), 2);
  await connect.inserted('classroom__c', 'classroomuuid__c', u(201));
  await writeClass(u(202), 0);
  await connect.inserted('classroom__c', 'classroomuuid__c', u(202));
  await writeClass(u(202), 0);
  await writeClass(u(203), 0);
  await connect.inserted('classroom__c', 'classroomuuid__c', u(203));

  // Lessons: the teacher is an optional parent.
  await db.source(
    `INSERT INTO lessons (id, school_class_id, user_id, name)
      VALUES ($1, $2, NULL, 'Loops'), ($3, $2, $4, 'Lists'), ($5, NULL, $4, 'Draft')`,
    [u(301), u(203), u(302), u(109), u(303)],
  );
  await db.mirror(
    `INSERT INTO salesforce.lesson__c (lesson_uuid__c, classroom__r__classroomuuid__c,
       lessontitle__c, numberofassignedprojects__c, numberofcompletedprojects__c)
     VALUES ($1, $2, 'Loops', 0, 0)`,
    [u(301), u(203)],
  );
  await connect.inserted('lesson__c', 'lesson_uuid__c', u(301));
}
