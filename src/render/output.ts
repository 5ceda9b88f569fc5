/** Where a command writes its result: only `write` and what it needs to know of the terminal. */
export interface Output {
  write(text: string): boolean;
  /** Resolves once what was written has reached the operating system (so a late EPIPE is seen). */
  flush?(): Promise<void>;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}
