import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type Connection } from '../../src/db/driver/connect.js';
import {
  ensureJournal,
  finishRun,
  journal,
  journalExists,
  listRuns,
  readRun,
  startRun,
} from '../../src/db/sfsync/journal.js';
import { acquireWriteLock, type HeldLock } from '../../src/db/sfsync/lock.js';
import { InterruptedError, LockError } from '../../src/errors.js';
import { runGuard } from '../../src/ops/repair/run-guard.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';

const db = useFixtureDatabases();
const target = () => fixtureConfig(db).mirror;
let mirror: Connection;

beforeAll(async () => {
  mirror = await connect(target());
});
afterAll(async () => {
  await mirror.close();
});

/** Whether the server grants the advisory lock named `sfsync:write` to this backend. */
async function grantedTo(pid: number): Promise<boolean> {
  const { rows } = await db.mirror(
    `select exists (select 1 from pg_locks where locktype = 'advisory' and granted
       and objid = hashtext('sfsync:write')::oid and pid = $1) as held`,
    [pid],
  );
  return rows[0].held;
}

describe('the write lock', () => {
  it('is the advisory lock sfsync:write on the session whose pid the run records', async () => {
    const lock = await acquireWriteLock(target());
    try {
      expect(await grantedTo(lock.pid)).toBe(true);
      const { rows } = await db.mirror(
        `select extract(epoch from backend_start)::text as started from pg_stat_activity
          where pid = $1`,
        [lock.pid],
      );
      expect(lock.backendStart).toBe(rows[0].started);
    } finally {
      await lock.release();
    }
    expect(await grantedTo(lock.pid)).toBe(false);
  });

  it('refuses a second writer, saying since when the first holds it', async () => {
    const first = await acquireWriteLock(target());
    try {
      const second = acquireWriteLock(target());
      await expect(second).rejects.toBeInstanceOf(LockError);
      await expect(second).rejects.toThrow(
        new RegExp(
          '^another sfsync repair or backfill is writing to this mirror database ' +
            String.raw`\(held since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); ` +
            'wait for it to finish, then run again$',
        ),
      );
    } finally {
      await first.release();
    }
    // Released: the next writer gets it at once.
    const next = await acquireWriteLock(target());
    await next.release();
  });

  it('contends with any session holding sfsync:write, such as another sfsync version', async () => {
    // The name is the contract between versions: a renamed lock would let two run at once.
    const other = new pg.Client({ connectionString: db.mirrorUrl });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(hashtext('sfsync:write'))`);
      await expect(acquireWriteLock(target())).rejects.toBeInstanceOf(LockError);
    } finally {
      await other.end();
    }
  });

  it('stays held however long the run idles between batches', async () => {
    // A pool ends sessions that idle past its timeout; the lock's session must never be one.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let lock: HeldLock;
    try {
      lock = await acquireWriteLock(target());
      await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    } finally {
      vi.useRealTimers();
    }
    try {
      // A session the pool let go would be gone from the server within moments.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await grantedTo(lock.pid)).toBe(true);
      await mirror.db.transaction().execute((trx) => lock.verify(trx));
    } finally {
      await lock.release();
    }
  });

  it('proves itself in a transaction while held; fails once the server took it away', async () => {
    const lock = await acquireWriteLock(target());
    try {
      await mirror.db.transaction().execute((trx) => lock.verify(trx));
      // With a timeout, pg_terminate_backend waits until the session is gone (and its lock with
      // it); without one it returns once signalled, and a loaded machine may verify first.
      await db.mirror('select pg_terminate_backend($1, 10000)', [lock.pid]);
      const verified = mirror.db.transaction().execute((trx) => lock.verify(trx));
      await expect(verified).rejects.toBeInstanceOf(LockError);
      await expect(verified).rejects.toThrow(/^the write lock was lost \(/);
    } finally {
      await lock.release();
    }
  });
});

describe('the run guard', () => {
  it('stops a run asked to stop, or whose lock session ended, before the next row', async () => {
    const lock = await acquireWriteLock(target());
    try {
      const stop = new AbortController();
      const guard = runGuard(lock, stop.signal);
      guard.check();
      stop.abort(new InterruptedError('SIGTERM'));
      expect(() => guard.check()).toThrow(InterruptedError);

      const unwatched = runGuard(lock, undefined);
      await db.mirror('select pg_terminate_backend($1)', [lock.pid]);
      await expect
        .poll(() =>
          Promise.resolve()
            .then(() => unwatched.check())
            .then(
              () => 'held',
              (e) => e,
            ),
        )
        .toBeInstanceOf(LockError);
      expect(() => unwatched.check()).toThrow(
        /^the write lock was lost \(its session on the mirror database ended: /,
      );
      await expect(
        mirror.db.transaction().execute((trx) => unwatched.beforeCommit(trx)),
      ).rejects.toBeInstanceOf(LockError);
    } finally {
      await lock.release();
    }
  });
});

const RUN_A = 'a1b2c3d4-0000-4000-8000-000000000001';
const RUN_B = 'a1b2c3d4-0000-4000-8000-000000000002';
const RUN_C = 'c0ffee00-0000-4000-8000-000000000003';

function record(runId: string, lock: Pick<HeldLock, 'pid' | 'backendStart'>) {
  return {
    runId,
    command: 'repair',
    actor: 'ci',
    host: 'runner-1',
    commandLine: 'sfsync repair --mirror-url postgres://app:hunter2@db.example/app',
    dryRun: false,
    lock: { pid: lock.pid, backendStart: lock.backendStart },
  };
}

describe('the run records, as journal and history show them', () => {
  it('exist only once ensureJournal made them', async () => {
    expect(await journalExists(mirror.db)).toBe(false);
    await ensureJournal(mirror.db);
    expect(await journalExists(mirror.db)).toBe(true);
  });

  it('show a run running while its lock is held, abandoned once the lock is gone', async () => {
    const lock = await acquireWriteLock(target());
    await startRun(mirror.db, record(RUN_A, lock));
    try {
      expect((await readRun(mirror.db, RUN_A)).run).toMatchObject({
        status: 'running',
        changes: 0,
      });
    } finally {
      await lock.release();
    }
    expect((await readRun(mirror.db, RUN_A)).run).toMatchObject({ status: 'abandoned' });
    await finishRun(mirror.db, RUN_A, 'interrupted', { reason: 'killed' });
    expect((await readRun(mirror.db, RUN_A)).run).toMatchObject({ status: 'interrupted' });
  });

  it('find a run by its id or a unique prefix, and none for an ambiguous one', async () => {
    const stale = { pid: 0, backendStart: '0' };
    await startRun(mirror.db, record(RUN_B, stale));
    await startRun(mirror.db, record(RUN_C, stale));
    expect((await readRun(mirror.db, RUN_B)).run?.runId).toBe(RUN_B);
    expect((await readRun(mirror.db, 'c0ffee')).run?.runId).toBe(RUN_C);
    expect(await readRun(mirror.db, 'a1b2c3d4')).toEqual({ run: undefined, entries: [] });
    expect(await readRun(mirror.db, 'ffffffff')).toEqual({ run: undefined, entries: [] });
    expect((await listRuns(mirror.db, 2)).map((r) => r.runId)).toEqual([RUN_C, RUN_B]);
  });

  it("list a run's changes in order with every field, its secrets redacted", async () => {
    const where = { entity: 'school', mirrorTable: 'salesforce.editor__c', key: 'k-1' };
    // The delete gives no adjustments: stored and shown as null.
    const changes = [
      { action: 'delete', mirrorId: 7, before: { id: 7 }, after: null },
      {
        action: 'insert',
        mirrorId: 9,
        before: null,
        after: { id: 9, name: 'x' },
        adjusted: { name: 'trimmed' },
      },
    ];
    for (const change of changes) await journal(mirror.db, { runId: RUN_C, ...where, ...change });
    await finishRun(mirror.db, RUN_C, 'done', { password: 'hunter2', done: 2 });
    const { run, entries } = await readRun(mirror.db, RUN_C);
    expect(run).toMatchObject({
      runId: RUN_C,
      command: 'repair',
      actor: 'ci',
      host: 'runner-1',
      commandLine: 'sfsync repair --mirror-url postgres://app:***@db.example/app',
      dryRun: false,
      status: 'done',
      summary: { password: '***', done: 2 },
      changes: 2,
    });
    expect(run!.finishedAt).toBeInstanceOf(Date);
    expect(entries.map(({ id: _id, at: _at, ...rest }) => rest)).toEqual(
      // Not settled: no run has looked at what became of these rows yet.
      changes.map((change) => ({
        adjusted: null,
        outcome: null,
        outcomeCode: null,
        ...where,
        ...change,
      })),
    );
    expect(entries[0]!.id).toBeLessThan(entries[1]!.id);
    expect(entries[0]!.at).toBeInstanceOf(Date);
  });
});
