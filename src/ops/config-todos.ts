import type { Config } from '../config/types.js';
import { UsageError } from '../errors.js';

/**
 * Refuses a writing run on a config that still has `todo` notes: they mark
 * where `sfsync init` stopped inferring (a row filter the app applies, a parent
 * no key explains), and rows written from such a guess go on to Salesforce.
 * Called before the lock, the audit and any write; a dry run, an audit and
 * doctor work on such a config. `allowTodo` (`--allow-todo`) is the person's
 * word that the notes do not matter for this run.
 */
export function refuseUnsettledConfig(
  config: Pick<Config, 'file' | 'todos'>,
  allowTodo: boolean | undefined,
): void {
  const count = config.todos.length;
  if (count === 0 || allowTodo) return;
  const notes = count === 1 ? '1 todo note remains' : `${count} todo notes remain`;
  throw new UsageError(
    `refusing to write: ${notes} in ${config.file} ` +
      '(`sfsync doctor` lists them; settle each and delete it, or pass --allow-todo)',
  );
}
