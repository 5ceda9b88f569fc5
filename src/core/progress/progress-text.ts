/** How far a long step has got, as one line: counts, share and time left when a total is known. */
export interface ProgressState {
  readonly label: string;
  readonly done: number;
  /** What the step expects in all: an estimate (the planner's row count) or null when unknown. */
  readonly total: number | null;
  readonly estimated: boolean;
  readonly unit: string;
  readonly elapsedMs: number;
}

/**
 * `1,234,567`: en-US grouping by hand. toLocaleString would do it, but its first call in a process
 * loads ICU's number formats, 13–29 ms here, paid by every command that shows progress.
 */
export function countText(n: number): string {
  const whole = Math.round(n);
  // Past 2^53 String() may write an exponent, which grouping would garble.
  if (!Number.isSafeInteger(whole)) return n.toLocaleString('en-US');
  return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `lesson: 412,000 / ~1,000,000 keys (41%, about 1m 20s left)`. The share and time left are shown
 * only once a little is done (the first reads' rate says little) and never past the total: an
 * estimate that fell short reads as `1,000,100 keys`.
 */
export function progressText(state: ProgressState): string {
  const { label, done, total, unit, elapsedMs } = state;
  if (total === null || total <= 0 || done > total) return `${label}: ${countText(done)} ${unit}`;
  const approx = state.estimated ? '~' : '';
  const head = `${label}: ${countText(done)} / ${approx}${countText(total)} ${unit}`;
  const share = done / total;
  if (share < 0.01 || elapsedMs < 1_000) return head;
  const leftMs = (elapsedMs / share) * (1 - share);
  return `${head} (${Math.floor(share * 100)}%, about ${durationText(leftMs)} left)`;
}

/** A rounded duration for people: `45s`, `3m 05s`, `2h 10m`. */
export function durationText(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Where one entity's writes are, batch by batch. */
export interface WriteProgress {
  readonly entity: string;
  /** Changes written before this step, and after it. */
  readonly before: number;
  readonly after: number;
  /** The preview's count for the entity (the plan may find more as it goes). */
  readonly expected: number;
  readonly batchSize: number;
  readonly elapsedMs: number;
}

/**
 * `school: batch 37/200 (18,001–18,500 of ~100,000 changes, 18%, about 3m 10s left)`; time left
 * from the rate so far, once a batch is done.
 */
export function writeProgressText(state: WriteProgress): string {
  const expected = Math.max(state.expected, state.after);
  const batches = Math.max(1, Math.ceil(expected / state.batchSize));
  const batch = Math.min(batches, Math.ceil(state.after / state.batchSize));
  const [from, to] = [countText(state.before + 1), countText(state.after)];
  const range = `${from}–${to} of ~${countText(expected)} changes`;
  const share = state.before / expected;
  const remainingMs = (state.elapsedMs / share) * (1 - share);
  const left =
    state.before > 0 && state.elapsedMs >= 1_000
      ? `, ${Math.floor(share * 100)}%, about ${durationText(remainingMs)} left`
      : '';
  return `${state.entity}: batch ${batch}/${batches} (${range}${left})`;
}
