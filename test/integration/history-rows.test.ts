import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../src/db/driver/connect.js';
import { latestRecorded, readHistory } from '../../src/db/sfsync/history.js';
import { ensureJournal } from '../../src/db/sfsync/journal.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';

const db = useFixtureDatabases();
let mirror: Connection;

const COUNTS = {
  ok: 1,
  pending: 0,
  absent: 0,
  missing_parent: 0,
  failed: 2,
  stuck: 0,
  drift: 0,
  duplicate: 0,
  orphan: 0,
  source_duplicate: 0,
};
/** `n` rows for an entity, recorded at `at` minus i seconds, with these counts (SQL). */
const insert = (entity: string, n: number, at: string, counts: string) =>
  db.mirror(
    `insert into sfsync.history (run_id, entity, recorded_at, started_at, duration_ms, mirror_rows,
                                 unsynced_rows, counts)
     select gen_random_uuid(), $1, ${at} - i * interval '1 second', now(), 1, 10, 0, ${counts}
       from generate_series(1, $2) as i`,
    [entity, n],
  );

beforeAll(async () => {
  mirror = await connect(fixtureConfig(db).mirror);
  await ensureJournal(mirror.db);
});
afterAll(async () => {
  await mirror.close();
});

describe('reading sfsync.history past rows that cannot be trusted', () => {
  it('finds the newest valid row past over a page of bad rows, counting every one', async () => {
    await insert('school', 3, `now() - interval '1 hour'`, `'${JSON.stringify(COUNTS)}'::jsonb`);
    await insert(
      'school',
      150,
      `now() + interval '1 day'`,
      `'${JSON.stringify({ ...COUNTS, failed: 999 })}'::jsonb`,
    );
    await insert('school', 60, 'now()', `'"oops"'::jsonb`);
    await insert('role', 2, 'now()', `'${JSON.stringify(COUNTS)}'::jsonb`);

    const { latest, ignored } = await latestRecorded(mirror.db, ['school', 'role']);
    expect(latest.get('school')).toMatchObject({ counts: COUNTS, mirrorRows: 10 });
    expect(latest.get('school')!.recordedAt.getTime()).toBeLessThan(Date.now() - 50 * 60_000);
    expect(latest.get('role')).toMatchObject({ counts: COUNTS });
    expect(ignored).toHaveLength(210);
    expect(ignored[0]!.reason).toMatch(/^recorded_at .* is in the future/);
    expect(ignored.at(-1)!.reason).toBe('counts: Invalid input: expected object, received string');
  });

  it("returns each entity's last N valid runs, oldest first, none of the bad ones", async () => {
    const { points, ignored } = await readHistory(mirror.db, { limit: 3 });
    expect(points.map((p) => p.entity)).toEqual(['role', 'role', 'school', 'school', 'school']);
    const school = points.filter((p) => p.entity === 'school').map((p) => p.recordedAt.getTime());
    expect(school).toEqual([...school].sort((a, b) => a - b));
    expect(points.every((p) => p.counts.failed === 2)).toBe(true);
    expect(ignored).toHaveLength(210);
  });
});
