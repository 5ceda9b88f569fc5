import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionResult, RepairResult } from '../core/repair/result.js';

/**
 * What the renderers of a repair or backfill read: its counts, the actions a table lists, and,
 * kept, every action.
 */
export interface RepairReport {
  readonly result: RepairResult;
  /** The first `details` actions not done, in canonical order (the table lists these). */
  readonly notDone: readonly ActionResult[];
  /**
   * The first `details` actions failed, deferred or skipped, in canonical order (markdown lists
   * these).
   */
  readonly open: readonly ActionResult[];
  /**
   * Every action, in canonical order and, within an entity, as carried out; none unless the log
   * kept them all.
   */
  actions(): Iterable<ActionResult>;
}

interface EntityLog {
  readonly notDone: ActionResult[];
  readonly open: ActionResult[];
  spool?: { fd: number; path: string | undefined; bytes: number };
}

/**
 * Gathers a run's actions as they arrive (RepairOptions.onActions) for its
 * output. A table needs only the first few of each entity, which stay in
 * memory; JSON and CSV list every action, so with `keepAll` each entity's
 * actions go as JSON lines to a temporary file (unlinked once open) and are
 * read back in canonical order when printed. Memory holds `details` actions
 * per entity, however many the run carried out.
 */
export class ActionLog {
  private readonly entities = new Map<string, EntityLog>();

  constructor(
    private readonly details: number,
    private readonly keepAll: boolean,
  ) {}

  add(actions: readonly ActionResult[]): void {
    for (const action of actions) {
      const log = this.entity(action.entity);
      if (action.status !== 'done' && log.notDone.length < this.details) log.notDone.push(action);
      if (action.status !== 'done' && action.status !== 'planned' && log.open.length < this.details)
        log.open.push(action);
      if (this.keepAll) this.spool(log, action);
    }
  }

  report(result: RepairResult): RepairReport {
    const inOrder = result.order
      .map((name) => this.entities.get(name))
      .filter((log): log is EntityLog => log !== undefined);
    const first = (pick: (log: EntityLog) => ActionResult[]) =>
      inOrder.flatMap(pick).slice(0, this.details);
    return {
      result,
      notDone: first((log) => log.notDone),
      open: first((log) => log.open),
      actions: () => readBack(inOrder),
    };
  }

  close(): void {
    for (const log of this.entities.values()) {
      if (!log.spool) continue;
      closeSync(log.spool.fd);
      if (log.spool.path) unlinkSync(log.spool.path);
      log.spool = undefined;
    }
  }

  private entity(name: string): EntityLog {
    let log = this.entities.get(name);
    if (!log) {
      log = { notDone: [], open: [] };
      this.entities.set(name, log);
    }
    return log;
  }

  private spool(log: EntityLog, action: ActionResult): void {
    log.spool ??= openSpool();
    const line = Buffer.from(`${JSON.stringify(action)}\n`, 'utf8');
    writeSync(log.spool.fd, line, 0, line.length, log.spool.bytes);
    log.spool.bytes += line.length;
  }
}

/** A report of a run whose actions were not gathered (its table lists none). */
export function countsOnly(result: RepairResult): RepairReport {
  return { result, notDone: [], open: [], actions: () => [] };
}

function openSpool(): { fd: number; path: string | undefined; bytes: number } {
  const path = join(tmpdir(), `sfsync-actions-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(path, 'wx+', 0o600);
  try {
    unlinkSync(path);
    return { fd, path: undefined, bytes: 0 };
  } catch {
    return { fd, path, bytes: 0 };
  }
}

function* readBack(logs: readonly EntityLog[]): Generator<ActionResult> {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (const log of logs) {
    if (!log.spool) continue;
    let rest = '';
    for (let position = 0; position < log.spool.bytes; ) {
      const read = readSync(
        log.spool.fd,
        chunk,
        0,
        Math.min(chunk.length, log.spool.bytes - position),
        position,
      );
      position += read;
      // A chunk may end inside a multi-byte character: decode up to the last newline only.
      const text = rest + chunk.toString('latin1', 0, read);
      const end = text.lastIndexOf('\n');
      for (const line of text.slice(0, end + 1).split('\n'))
        if (line) yield JSON.parse(Buffer.from(line, 'latin1').toString('utf8')) as ActionResult;
      rest = text.slice(end + 1);
    }
  }
}
