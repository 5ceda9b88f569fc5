import type { Finding } from './diagnose.js';

/** One database as `sfsync doctor` found it. */
export interface DatabaseStatus {
  readonly role: 'source' | 'mirror';
  readonly schema: string;
  readonly label: string | undefined;
  readonly reachable: boolean;
  readonly serverVersion: string | undefined;
  /** Whether the connection is encrypted; undefined when unreachable. */
  readonly tls: boolean | undefined;
}

export interface DoctorReport {
  /**
   * True when every command can run on this config: nothing at level `error`,
   * and no todo note left (unless allowed). Repair and backfill refuse to write
   * exactly when it is false for want of settled notes.
   */
  readonly ok: boolean;
  /** Todo notes `sfsync init` left in the config. */
  readonly todos: number;
  /** `--allow-todo`: the notes do not count against `ok`. */
  readonly todosAllowed: boolean;
  readonly databases: { readonly source: DatabaseStatus; readonly mirror: DatabaseStatus };
  readonly findings: readonly Finding[];
}
