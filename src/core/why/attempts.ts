import { type AttemptRecord, type AttemptSettings, nextAttemptAt } from '../repair/attempts.js';
import type { StoryAttempts } from './story.js';

/**
 * The attempts section of a story, from the record and the config's settings. `sourceChanged`:
 * the source row changed since the failure, so the next re-send starts the count again (as
 * repair's attemptsSoFar has it). `landed`: the record has an sfid now; it keeps its count, but
 * no re-send waits for it and none was given up. (A re-sent row still pending keeps its backoff:
 * should it fail again, that is when repair may send it next.)
 */
export function storyAttempts(
  record: AttemptRecord | null | undefined,
  settings: AttemptSettings,
  sourceChanged: boolean,
  landed = false,
): StoryAttempts | null {
  if (!record) return null;
  const gaveUp = !landed && !sourceChanged && record.attempts >= settings.maxAttempts;
  const waits = !landed && !sourceChanged && !gaveUp;
  return {
    attempts: record.attempts,
    maxAttempts: settings.maxAttempts,
    lastAttemptAt: record.lastAttemptAt,
    lastCode: record.lastCode,
    startsAgain: sourceChanged,
    gaveUp,
    nextAttemptAt: waits ? nextAttemptAt(record.attempts, record.lastAttemptAt, settings) : null,
  };
}
