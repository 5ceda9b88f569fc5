/** A record whose successful write the next drain() turns FAILED (the flip fault). */
export interface ScheduledFlip {
  readonly table: string;
  readonly recordId: number;
  readonly sfid: string;
}

/**
 * What the simulator owes later, counted in drain() calls ("passes"): trigger-log entries held
 * NEW by the delay fault, and flips. Kept in memory, so a new simulator forgets them: a held
 * entry is then processed at once, a flip never comes.
 */
export class Deferrals {
  private pass = 0;
  /** Held entry id → the pass that may process it. */
  private readonly releaseAt = new Map<number, number>();
  private flips: { flip: ScheduledFlip; due: number }[] = [];

  constructor(private readonly cycles: number) {}

  /** Starts a drain() call; returns the flips now due, which it forgets. */
  startPass(): ScheduledFlip[] {
    this.pass++;
    const due = this.flips.filter((f) => f.due <= this.pass).map((f) => f.flip);
    this.flips = this.flips.filter((f) => f.due > this.pass);
    return due;
  }

  /** Entries this pass must leave NEW. */
  heldIds(): number[] {
    return [...this.releaseAt].filter(([, at]) => at > this.pass).map(([id]) => id);
  }

  /**
   * Whether to hold a NEW entry now: asked once per entry, when a pass first meets it; a held
   * entry the pass meets again is released, whatever `draw` would say.
   */
  hold(id: number, draw: () => boolean): boolean {
    if (this.releaseAt.has(id)) {
      this.releaseAt.delete(id);
      return false;
    }
    if (this.cycles <= 0 || !draw()) return false;
    // Held during this pass and the next cycles - 1: the pass `cycles` later processes it.
    this.releaseAt.set(id, this.pass + this.cycles);
    return true;
  }

  scheduleFlip(flip: ScheduledFlip): void {
    this.flips.push({ flip, due: this.pass + 1 });
  }

  /** Held entries and scheduled flips: work a later drain() will do. */
  get count(): number {
    return this.releaseAt.size + this.flips.length;
  }
}
