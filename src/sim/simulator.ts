import { sql, type Transaction } from 'kysely';
import type { Config, ResolvedTarget } from '../config/types.js';
import { CONNECT_OWNED_COLUMNS } from '../core/connect/heroku-connect.js';
import { connect, type Connection } from '../db/driver/connect.js';
import { writeTransaction } from '../db/driver/transactions.js';
import { simMappings, type SimMapping } from './connect-mapping.js';
import { Deferrals } from './deferrals.js';
import { writeFlip } from './flip.js';
import { SIM_FAULT_TEXTS, SIM_VALIDATION_TEXT, type SimFaultCode } from './fault-texts.js';
import {
  DEFAULT_DELAY_CYCLES,
  dataFixFault,
  FaultDraws,
  noFaults,
  type SimFaults,
  type SimFaultStats,
  terminalFault,
} from './faults.js';
import { seededRandom } from './random.js';
import { apiName, salesforceId } from './salesforce-id.js';

export interface SimOptions {
  /**
   * Probability that a write fails with one of `failCodes`, as Salesforce's do under contention,
   * limits, data and permission trouble.
   */
  readonly failRate: number;
  /** The failures drawn from, evenly (default: UNABLE_TO_LOCK_ROW only). */
  readonly failCodes?: readonly SimFaultCode[] | undefined;
  readonly seed: number;
  /** Delay per processed batch, like a slow org. */
  readonly latencyMs: number;
  readonly batchSize: number;
  /** Seeded faults beyond `failRate` (faults.ts); absent or all 0, a seed replays as before. */
  readonly faults?: SimFaults | undefined;
}

export interface SimStats {
  /** Entries worked from the queue: succeeded + failed + ignored. */
  processed: number;
  /** Logged SUCCESS, dropped writes included (Connect reports them so). */
  succeeded: number;
  failed: number;
  ignored: number;
  /** Each injected fault; a flip's FAILED entry is counted here only, not in processed. */
  faults: SimFaultStats;
}

/** The drop fault's verdict: Connect logs SUCCESS and sends nothing. */
const DROPPED = Symbol('dropped');

type Outcome = {
  state: 'SUCCESS' | 'FAILED' | 'IGNORED';
  message: string | null;
  sfid?: string | null;
};

/**
 * A stand-in for Heroku Connect's write path (Ordered Writes) over a mirror
 * database with Connect's layout. It works `_trigger_log` in id order, writes
 * to a fake org in schema `sfsync_sim`, and updates mirror rows the way Connect
 * does, in a session with xmlbinary = 'hex' so its own writes are not captured.
 * A lookup that does not resolve fails the row for good: it is never retried.
 */
export class ConnectSimulator {
  private readonly random: () => number;
  private readonly draws: FaultDraws;
  private readonly faults: SimFaults;
  private readonly deferrals: Deferrals;
  readonly stats: SimStats = {
    processed: 0,
    succeeded: 0,
    failed: 0,
    ignored: 0,
    faults: noFaults(),
  };

  private constructor(
    private readonly url: string,
    private readonly mirror: Connection,
    private readonly mappings: Map<string, SimMapping>,
    private readonly options: SimOptions,
  ) {
    this.random = seededRandom(options.seed);
    this.faults = options.faults ?? {};
    this.draws = new FaultDraws(options.seed, this.faults);
    this.deferrals = new Deferrals(this.faults.delayCycles ?? DEFAULT_DELAY_CYCLES);
  }

  static async open(
    config: Pick<Config, 'entities'>,
    target: ResolvedTarget,
    options: SimOptions,
  ): Promise<ConnectSimulator> {
    const mirror = await connect(target, {
      maxConnections: 2,
      purpose: 'sim',
      sessionOptions: '-c xmlbinary=hex',
    });
    const sim = new ConnectSimulator(target.url, mirror, simMappings(config), options);
    await sim.setUpOrg();
    return sim;
  }

  get schema(): string {
    return this.mirror.schema;
  }

  async close(): Promise<void> {
    await this.mirror.close();
  }

  /**
   * One pass: processes queued entries until nothing is processable now, and returns how many it
   * processed. Without the delay fault that leaves no entry NEW or PENDING. A delayed entry sits
   * out this pass and the next `delayCycles - 1` (it stays NEW); the pass `delayCycles` calls
   * later processes it, in id order with what else is queued. Flips drawn in a pass are written
   * at the start of the next. So a caller that runs audit → repair → drain cycles meets them a
   * few cycles late, as with a slow Connect; `deferred` says whether any are still owed.
   */
  async drain(): Promise<number> {
    let total = 0;
    const flips = this.deferrals.startPass();
    await this.seedOrgFromMirror();
    for (const flip of flips)
      if (await writeFlip(this.mirror.db, this.schema, flip)) this.stats.faults.flipped++;
    for (;;) {
      const { held, processed } = await this.processBatch();
      total += processed;
      if (processed === 0 && held === 0) return total;
      if (this.options.latencyMs > 0 && processed > 0)
        await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    }
  }

  /** Entries held NEW by the delay fault and flips not yet written: a later drain() does them. */
  get deferred(): number {
    return this.deferrals.count;
  }

  /**
   * Drains, then waits for Connect's pg_notify ping (or a poll interval) and drains again, until
   * aborted.
   */
  async watch(
    signal: AbortSignal,
    pollMs = 2_000,
    onCycle?: (stats: SimStats) => void,
  ): Promise<void> {
    while (!signal.aborted) {
      await this.drain();
      onCycle?.(this.stats);
      await this.waitForPing(signal, pollMs);
    }
  }

  private async waitForPing(signal: AbortSignal, pollMs: number): Promise<void> {
    // LISTEN on a connection of its own; the notification or the poll interval ends the wait.
    const { default: pg } = await import('pg');
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'sfsync sim (listen)',
    });
    await new Promise<void>((resolve) => {
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        client
          .end()
          .catch(() => undefined)
          .finally(resolve);
      };
      const timer = setTimeout(done, pollMs);
      signal.addEventListener('abort', done);
      client.on('notification', done);
      client.on('error', done);
      client
        .connect()
        .then(() => client.query(`LISTEN "${this.schema}.hc_trigger_log"`))
        .catch(done);
    });
  }

  private async setUpOrg(): Promise<void> {
    await sql`create schema if not exists sfsync_sim`.execute(this.mirror.db);
    await sql`create table if not exists sfsync_sim.records (
        sfid              varchar(18) primary key,
        object            text not null,
        external_id_field text,
        external_id       text,
        fields            jsonb not null default '{}',
        created_at        timestamptz not null default clock_timestamp(),
        updated_at        timestamptz not null default clock_timestamp()
      )`.execute(this.mirror.db);
    await sql`create unique index if not exists records_external_id
        on sfsync_sim.records (object, external_id_field, external_id)`.execute(this.mirror.db);
    await sql`create sequence if not exists sfsync_sim.record_number start with 1000`.execute(
      this.mirror.db,
    );
  }

  /**
   * Records that reached the mirror from Salesforce (upstream contacts, say) exist in the org too.
   */
  private async seedOrgFromMirror(): Promise<void> {
    for (const m of this.mappings.values()) {
      await sql`insert into sfsync_sim.records (sfid, object, external_id_field, external_id)
        select t.sfid, ${m.object}, ${m.externalId}, ${sql.ref(`t.${m.externalId}`)}::text
          from ${sql.table(`${this.schema}.${m.table}`)} as t
         where t.sfid is not null
           and not exists (select 1 from sfsync_sim.records r where r.sfid = t.sfid)
        on conflict do nothing`.execute(this.mirror.db);
    }
  }

  /** One batch: `held` counts the entries the delay fault kept NEW in it. */
  private async processBatch(): Promise<{ held: number; processed: number }> {
    const schema = this.schema;
    const log = sql.table(`${schema}._trigger_log`);
    // Claim the next entries (NEW → PENDING) and commit, as Connect does before it calls
    // Salesforce; entries a crashed run left PENDING are taken up again first.
    const held = await this.claim();
    const processed = await writeTransaction(this.mirror.db, async (trx) => {
      const { rows: entries } = await sql<{
        id: number;
        action: string;
        table_name: string;
        record_id: number;
        sfid: string | null;
        values: string | null;
      }>`
        select id, action, table_name, record_id, sfid, "values" from ${log}
         where state = 'PENDING'
         order by id limit ${this.options.batchSize} for update skip locked`.execute(trx);
      for (const entry of entries) {
        const mapping = this.mappings.get(entry.table_name);
        const outcome = mapping
          ? await this.apply(trx, mapping, entry)
          : { state: 'IGNORED' as const, message: 'no mapping for this table' };
        this.stats.processed++;
        if (outcome.state === 'SUCCESS') this.stats.succeeded++;
        else if (outcome.state === 'FAILED') this.stats.failed++;
        else this.stats.ignored++;
        await sql`update ${sql.table(`${schema}._trigger_log`)}
                     set state = ${outcome.state}, sf_message = ${outcome.message},
                         sf_result = ${outcome.state === 'SUCCESS' ? 1 : 0},
                         sfid = coalesce(${outcome.sfid ?? null}, sfid),
                         processed_at = clock_timestamp(), processed_tx = txid_current(),
                         updated_at = clock_timestamp()
                   where id = ${entry.id}`.execute(trx);
      }
      // Processed entries, and those that needed no sync, move to the archive.
      await sql`with moved as (
          delete from ${sql.table(`${schema}._trigger_log`)}
           where state in ('SUCCESS', 'FAILED', 'IGNORED', 'IGNORE', 'READONLY') returning *)
        insert into ${sql.table(`${schema}._trigger_log_archive`)} select * from moved`.execute(
        trx,
      );
      // Read-back: Connect polls the records it wrote and the rows become SYNCED.
      for (const table of new Set(entries.map((e) => e.table_name))) {
        if (!this.mappings.has(table)) continue;
        await sql`update ${sql.table(`${schema}.${table}`)}
                     set systemmodstamp = (now() at time zone 'utc'),
                         createddate = coalesce(createddate, now() at time zone 'utc')
                   where _hc_lastop in ('INSERTED', 'UPDATED')`.execute(trx);
      }
      return entries.length;
    });
    return { held, processed };
  }

  /** Claims the next NEW entries, but those the delay fault holds; returns how many it held. */
  private async claim(): Promise<number> {
    const log = sql.table(`${this.schema}._trigger_log`);
    return writeTransaction(this.mirror.db, async (trx) => {
      const { rows } = await sql<{ id: number }>`
        select id from ${log}
         where state = 'NEW' and id <> all(${this.deferrals.heldIds()}::int[])
         order by id limit ${this.options.batchSize} for update skip locked`.execute(trx);
      const claimed = rows
        .map((r) => r.id)
        .filter((id) => !this.deferrals.hold(id, () => this.draws.hits('delay')));
      const held = rows.length - claimed.length;
      this.stats.faults.delayed += held;
      await sql`update ${log} set state = 'PENDING', updated_at = clock_timestamp()
                 where id = any(${claimed}::int[])`.execute(trx);
      return held;
    });
  }

  private async apply(
    trx: Transaction<any>,
    m: SimMapping,
    entry: { action: string; record_id: number; sfid: string | null; values: string | null },
  ): Promise<Outcome> {
    const table = sql.table(`${this.schema}.${m.table}`);
    const { rows } = await sql<{ row: Record<string, unknown> }>`
      select to_jsonb(t.*) as row from ${table} as t
       where t.id = ${entry.record_id} for update`.execute(trx);
    const row = rows[0]?.row;
    const fail = async (message: string): Promise<Outcome> => {
      if (row)
        await sql`update ${table} set _hc_lastop = 'FAILED', _hc_err = ${message}
                   where id = ${entry.record_id}`.execute(trx);
      return { state: 'FAILED', message };
    };

    if (entry.action === 'DELETE') {
      if (!entry.sfid) return { state: 'IGNORED', message: null };
      await sql`delete from sfsync_sim.records where sfid = ${entry.sfid}`.execute(trx);
      return { state: 'SUCCESS', message: null };
    }
    if (!row) return { state: 'IGNORED', message: 'the row was deleted before it was sent' };
    if (this.options.failRate > 0 && this.random() < this.options.failRate)
      return fail(SIM_FAULT_TEXTS[this.drawFault()]);

    // A lookup that does not resolve fails the write, insert or update alike (an update sets a
    // deferred lookup).
    const unresolved = await this.unresolvedLookup(trx, m, row);
    if (entry.action === 'UPDATE') {
      if (!row.sfid) return fail('MISSING_ARGUMENT:Id not specified in an update call:--');
      if (unresolved) return fail(unresolved);
      const fault = this.injectedFault(m, row);
      if (fault === DROPPED) return { state: 'SUCCESS', message: null };
      if (fault) return fail(fault);
      await sql`update sfsync_sim.records
                   set fields = fields || ${JSON.stringify(businessFields(row))}::jsonb,
                       updated_at = clock_timestamp()
                 where sfid = ${row.sfid as string}`.execute(trx);
      await sql`update ${table} set _hc_lastop = 'UPDATED' where id = ${entry.record_id}`.execute(
        trx,
      );
      this.drawFlip(m, entry.record_id, row.sfid as string);
      return { state: 'SUCCESS', message: null };
    }

    if (row.sfid) return { state: 'IGNORED', message: 'already in Salesforce' };
    if (unresolved) return fail(unresolved);
    const externalId = externalIdOf(m, row);
    if (externalId !== null) {
      const { rows: existing } = await sql<{ sfid: string }>`
        select sfid from sfsync_sim.records
         where object = ${m.object} and external_id_field = ${m.externalId}
           and external_id = ${externalId}`.execute(trx);
      if (existing[0])
        return fail(
          `duplicate value found: ${apiName(m.externalId)} ` +
            `duplicates value on record with id: ${existing[0].sfid}`,
        );
    }
    const fault = this.injectedFault(m, row);
    if (fault === DROPPED) return { state: 'SUCCESS', message: null };
    if (fault) return fail(fault);
    const { rows: numbers } = await sql<{
      n: string;
    }>`select nextval('sfsync_sim.record_number') as n`.execute(trx);
    const sfid = salesforceId(m.prefix, Number(numbers[0]!.n));
    await sql`insert into sfsync_sim.records (sfid, object, external_id_field, external_id, fields)
              values (${sfid}, ${m.object}, ${m.externalId}, ${externalId},
                      ${JSON.stringify(businessFields(row))}::jsonb)`.execute(trx);
    await sql`update ${table} set sfid = ${sfid}, _hc_lastop = 'INSERTED', _hc_err = null
               where id = ${entry.record_id}`.execute(trx);
    this.drawFlip(m, entry.record_id, sfid);
    return { state: 'SUCCESS', message: null, sfid };
  }

  /**
   * The fault, if any, that meets a write Salesforce would otherwise accept: a deleted record or
   * bad values (decided by the row, so they recur), then a drawn lock or limit, then a drop.
   */
  private injectedFault(
    m: SimMapping,
    row: Record<string, unknown>,
  ): string | typeof DROPPED | undefined {
    const { faults } = this.stats;
    // A row without an external ID is named by its mirror id, which a re-insert changes.
    const who = {
      seed: this.options.seed,
      table: m.table,
      externalId: externalIdOf(m, row) ?? `#${String(row.id)}`,
    };
    if (terminalFault(who, this.faults.terminal ?? 0)) {
      faults.terminal++;
      return SIM_FAULT_TEXTS.ENTITY_IS_DELETED;
    }
    const dataFix = dataFixFault({ ...who, values: row }, this.faults.dataFix ?? 0);
    if (dataFix) {
      faults.dataFix++;
      return dataFix === 'FIELD_CUSTOM_VALIDATION_EXCEPTION'
        ? SIM_VALIDATION_TEXT
        : SIM_FAULT_TEXTS[dataFix];
    }
    const transient = this.draws.transient();
    if (transient) {
      faults.transient++;
      return SIM_FAULT_TEXTS[transient];
    }
    if (this.draws.hits('drop')) {
      faults.dropped++;
      return DROPPED;
    }
    return undefined;
  }

  private drawFlip(m: SimMapping, recordId: number, sfid: string): void {
    if (this.draws.hits('flip')) this.deferrals.scheduleFlip({ table: m.table, recordId, sfid });
  }

  /** One of the configured failures; a single one costs no draw, so old seeds replay alike. */
  private drawFault(): SimFaultCode {
    const codes = this.options.failCodes ?? ['UNABLE_TO_LOCK_ROW'];
    if (codes.length === 1) return codes[0]!;
    return codes[Math.floor(this.random() * codes.length)]!;
  }

  /** Salesforce's error for the first lookup whose external ID names no record, or undefined. */
  private async unresolvedLookup(
    trx: Transaction<any>,
    m: SimMapping,
    row: Record<string, unknown>,
  ): Promise<string | undefined> {
    for (const lookup of m.lookups) {
      const value = row[lookup.column];
      if (value === null || value === undefined || value === '') continue;
      const { rows: parents } = await sql<{ sfid: string }>`
        select sfid from sfsync_sim.records
         where object = ${lookup.parentObject} and external_id_field = ${lookup.parentExternalId}
           and external_id = ${String(value)}`.execute(trx);
      if (parents.length === 0)
        return (
          `Foreign key external ID: ${String(value)} not found ` +
          `for field ${apiName(lookup.parentExternalId)} in entity ${lookup.parentObject}`
        );
    }
    return undefined;
  }
}

function externalIdOf(m: SimMapping, row: Record<string, unknown>): string | null {
  const value = row[m.externalId];
  return value === null || value === undefined ? null : String(value);
}

function businessFields(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).filter(([k]) => !CONNECT_OWNED_COLUMNS.includes(k)),
  );
}
