import { sql } from 'kysely';
import type { AnyDb } from '../db/driver/connect.js';
import { seededRandom } from './random.js';

export interface DemoSize {
  readonly schools: number;
  readonly usersPerSchool: number;
  readonly classesPerSchool: number;
  readonly lessonsPerClass: number;
  readonly studentsPerClass: number;
}

export const DEFAULT_DEMO_SIZE: DemoSize = {
  schools: 300,
  usersPerSchool: 6,
  classesPerSchool: 2,
  lessonsPerClass: 2,
  studentsPerClass: 8,
};

export interface DemoPeople {
  /**
   * Users the accounts service has sent upstream: they exist as Contacts (with sfids) in the
   * mirror.
   */
  readonly upstream: readonly string[];
  /** Users whose Contact never arrives: their roles can never sync. */
  readonly missing: readonly string[];
}

/**
 * A realistic editor-api data set in the source database: schools (a few
 * rejected), staff roles (owners, teachers) and students, classes with their
 * teachers and students, lessons with projects and submissions.
 */
export async function generateSourceData(
  db: AnyDb,
  size: DemoSize,
  seed: number,
): Promise<DemoPeople> {
  const random = seededRandom(seed);
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    // Version 4, variant a: the shape of a random UUID.
    const groups = [
      hex.slice(0, 8),
      hex.slice(8, 12),
      `4${hex.slice(13, 16)}`,
      `a${hex.slice(17, 20)}`,
      hex.slice(20, 32),
    ];
    return groups.join('-');
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const towns = [
    'Cambridge',
    'Leeds',
    'Cardiff',
    'Belfast',
    'Glasgow',
    'Nairobi',
    'Pune',
    'Austin',
    'Dublin',
    'Lagos',
  ];
  const countries = ['gb', 'gb', 'gb', 'ie', 'ke', 'in', 'us', 'ng'];

  const schools: unknown[][] = [];
  const roles: unknown[][] = [];
  const classes: unknown[][] = [];
  const teachers: unknown[][] = [];
  const students: unknown[][] = [];
  const lessons: unknown[][] = [];
  const projects: unknown[][] = [];
  const submissions: unknown[][] = [];
  const upstream: string[] = [];
  const missing: string[] = [];

  for (let s = 0; s < size.schools; s++) {
    const school = uuid();
    const rejected = random() < 0.04;
    // Drawn first, before the town and country, so a seed still gives the same schools.
    const place = pick(['St', 'Hill', 'Park', 'River', 'Oak', 'North']);
    const kind = pick(['Academy', 'School', 'College', 'Primary']);
    schools.push([
      school,
      `${place} ${kind} ${s + 1}`,
      `https://school${s + 1}.example.org`,
      pick(towns),
      pick(countries),
      random() < 0.8 ? 0 : 1,
      random() < 0.7 ? new Date() : null,
      rejected ? new Date() : null,
    ]);
    const staff: string[] = [];
    for (let p = 0; p < size.usersPerSchool; p++) {
      const user = uuid();
      // One user in a hundred never reaches Salesforce upstream.
      (random() < 0.01 ? missing : upstream).push(user);
      staff.push(user);
      roles.push([school, user, p === 0 ? 2 : 1]);
    }
    // A rejected school never got as far as creating classes.
    for (let c = 0; c < (rejected ? 0 : size.classesPerSchool); c++) {
      const klass = uuid();
      classes.push([
        klass,
        school,
        `Year ${7 + c} ${pick(['Python', 'Scratch', 'HTML', 'Robotics'])}`,
      ]);
      teachers.push([uuid(), klass, pick(staff)]);
      for (let k = 0; k < size.studentsPerClass; k++) {
        const student = uuid();
        students.push([uuid(), klass, student]);
        roles.push([school, student, 0]);
      }
      for (let l = 0; l < size.lessonsPerClass; l++) {
        const lesson = uuid();
        const project = uuid();
        lessons.push([
          lesson,
          klass,
          pick(staff),
          `Lesson ${l + 1}: ${pick(['Loops', 'Lists', 'Sprites', 'Functions', 'Web pages'])}`,
          pick(['private', 'teachers', 'students', 'students']),
        ]);
        projects.push([
          project,
          lesson,
          null,
          pick(staff),
          `Starter ${l + 1}`,
          pick(['python', 'scratch', 'html']),
        ]);
        for (let r = 0; r < 2; r++) {
          const remix = uuid();
          projects.push([remix, null, project, uuid(), `Remix ${r + 1}`, 'python']);
          submissions.push([uuid(), remix, pick(['unsubmitted', 'submitted', 'complete'])]);
        }
      }
    }
    // Lessons outside any class are never synced.
    lessons.push([uuid(), null, pick(staff), 'Draft lesson', 'private']);
  }

  await insertRows(
    db,
    'schools',
    [
      'id',
      'name',
      'website',
      'municipality',
      'country_code',
      'user_origin',
      'verified_at',
      'rejected_at',
    ],
    ['uuid', 'text', 'text', 'text', 'text', 'int', 'timestamptz', 'timestamptz'],
    schools,
  );
  await insertRows(db, 'roles', ['school_id', 'user_id', 'role'], ['uuid', 'uuid', 'int'], roles);
  await insertRows(
    db,
    'school_classes',
    ['id', 'school_id', 'name'],
    ['uuid', 'uuid', 'text'],
    classes,
  );
  await insertRows(
    db,
    'class_teachers',
    ['id', 'school_class_id', 'teacher_id'],
    ['uuid', 'uuid', 'uuid'],
    teachers,
  );
  await insertRows(
    db,
    'class_students',
    ['id', 'school_class_id', 'student_id'],
    ['uuid', 'uuid', 'uuid'],
    students,
  );
  await insertRows(
    db,
    'lessons',
    ['id', 'school_class_id', 'user_id', 'name', 'visibility'],
    ['uuid', 'uuid', 'uuid', 'text', 'text'],
    lessons,
  );
  await insertRows(
    db,
    'projects',
    ['id', 'lesson_id', 'remixed_from_id', 'user_id', 'name', 'project_type'],
    ['uuid', 'uuid', 'uuid', 'uuid', 'text', 'text'],
    projects,
  );
  await insertRows(
    db,
    'school_projects',
    ['id', 'project_id', 'state'],
    ['uuid', 'uuid', 'text'],
    submissions,
  );
  return { upstream, missing };
}

/** One INSERT … SELECT FROM unnest(arrays) per table: fast, and every value a parameter. */
async function insertRows(
  db: AnyDb,
  table: string,
  columns: string[],
  types: string[],
  rows: unknown[][],
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map(
    (_, i) => sql`${rows.map((row) => row[i] ?? null)}::${sql.raw(types[i]!)}[]`,
  );
  await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))})
            select * from unnest(${sql.join(arrays)})`.execute(db);
}
